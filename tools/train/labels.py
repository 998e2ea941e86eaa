"""Stain-derived labels for H&E tiles: background, haematoxylin-rich nuclei, the rest of the tissue.

These labels are DERIVED from the image by fixed rules, not drawn by a pathologist. A model trained on them
learns to reproduce these rules; it is a demonstration, not a diagnostic model.

The rules, in order (all sizes in pixels at 0.5 um/px; CMU-1-Small-Region.svs level 0 is 0.499 um/px):

1. Tissue mask. Saturation (HSV) smoothed by a Gaussian (sigma 2 px) above TISSUE_SATURATION (0.20; the Otsu
   threshold of the smoothed saturation over the whole CMU-1-Small-Region slide is 0.222, rounded down so pale
   tissue stays in); then a binary opening with a disk of radius 2, objects smaller than 500 px removed and
   holes smaller than 200 px filled. Everything outside the mask is class 0, "background".
2. Colour deconvolution. skimage.color.rgb2hed (Ruifrok & Johnston haematoxylin-eosin-DAB stain vectors) gives
   optical densities H, E, D per pixel.
3. Nuclei (class 1). Inside the tissue mask, a pixel is nuclear where the haematoxylin density, smoothed by a
   Gaussian (sigma 1 px), is both above NUCLEI_H_ABSOLUTE (0.08; the Otsu threshold of the smoothed H within
   the tissue of this slide is 0.097, rounded down) and above its local background (H smoothed by a Gaussian of
   sigma 8 px) by NUCLEI_H_LOCAL_CONTRAST (0.02). The local term separates nuclei from the haematoxylin-tinged
   cytoplasm of the epidermis, whose absolute H is as high as that of many nuclei. Then holes are filled, a
   binary opening with a disk of radius 1 removes one-pixel spurs, and objects smaller than 25 px (about
   6 um^2, smaller than any nucleus at this scale) are removed.
4. Everything else inside the tissue is class 2, "eosin-stroma": stroma, collagen and cytoplasm, where eosin
   dominates the stain. (Cytoplasm tinged by haematoxylin, such as that of the epidermis, also falls here: the
   rule has no fourth class for it; `eosin_dominance` reports how much of class 2 is eosin-dominant.)

Stain robustness: the thresholds above are absolute optical densities of this slide's stain, and another lab's
slide (paler haematoxylin, pinker eosin) falls on the wrong side of them. `derive_labels(rgb, reference=...)`
therefore first normalises the image to the model's stain reference (Macenko, statistics from the image's own
tissue; tools/stain/stainnorm.py, the arithmetic of Tessera's TesseraStain) and applies the rules to the result:
the thresholds then hold in the reference's stain space, whatever the lab. The training slide is the reference,
so its labels are the same either way (they are derived without the step).

Known errors of the rules, kept on purpose because they are the labels: the dark keratin edge and thin
haematoxylin-dense fibres are labelled nuclei; very pale nuclei in pale cytoplasm are missed.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi
from skimage import morphology
from skimage.color import rgb2hed, rgb2hsv
from skimage.filters import gaussian

CLASS_NAMES = ["background", "nuclei", "eosin-stroma"]
STAIN_RULE = ("thresholds are optical densities in the stain of the model's stain_reference: an image from any other "
              "slide is first normalised to it (Macenko, statistics from the image's own tissue; "
              "derive_labels(rgb, reference)); the training slide is the reference and is labelled as is. "
              "Chosen over thresholds relative to each slide's own H distribution, which would force every slide "
              "to the same nuclear fraction (a lymphocyte-rich tile has several times the nuclei of dermis)")
CLASS_COLOURS = ["#FFFFFF", "#3B4CC0", "#F08CB4"]

TISSUE_SATURATION = 0.20
TISSUE_SATURATION_SIGMA = 2.0
TISSUE_OPENING_RADIUS = 2
TISSUE_MIN_OBJECT = 500
TISSUE_MAX_HOLE = 200
NUCLEI_H_SIGMA = 1.0
NUCLEI_H_ABSOLUTE = 0.08
NUCLEI_H_BACKGROUND_SIGMA = 8.0
NUCLEI_H_LOCAL_CONTRAST = 0.02
NUCLEI_OPENING_RADIUS = 1
NUCLEI_MIN_OBJECT = 25


def thresholds() -> dict:
    """The rule constants, for the model's metadata."""
    return {
        "tissue": f"HSV saturation (Gaussian sigma {TISSUE_SATURATION_SIGMA} px) > {TISSUE_SATURATION}; "
                  f"opening disk({TISSUE_OPENING_RADIUS}); remove objects < {TISSUE_MIN_OBJECT} px; "
                  f"fill holes < {TISSUE_MAX_HOLE} px",
        "deconvolution": "skimage.color.rgb2hed (Ruifrok-Johnston H-E-DAB vectors)",
        "nuclei": f"in tissue: H (Gaussian sigma {NUCLEI_H_SIGMA} px) > {NUCLEI_H_ABSOLUTE} and "
                  f"H - H(Gaussian sigma {NUCLEI_H_BACKGROUND_SIGMA} px) > {NUCLEI_H_LOCAL_CONTRAST}; fill holes; "
                  f"opening disk({NUCLEI_OPENING_RADIUS}); remove objects < {NUCLEI_MIN_OBJECT} px",
        "eosin-stroma": "the rest of the tissue",
        "background": "outside the tissue mask",
        "stain": STAIN_RULE,
    }


def _remove_small_objects(mask: np.ndarray, min_size: int) -> np.ndarray:
    """Connected components (8-connected) with fewer than min_size pixels removed."""
    labelled, count = ndi.label(mask, structure=np.ones((3, 3), bool))
    if count == 0:
        return mask
    sizes = np.bincount(labelled.ravel())
    keep = sizes >= min_size
    keep[0] = False
    return keep[labelled]


def tissue_mask(rgb: np.ndarray) -> np.ndarray:
    saturation = gaussian(rgb2hsv(rgb)[..., 1], TISSUE_SATURATION_SIGMA)
    mask = saturation > TISSUE_SATURATION
    mask = ndi.binary_opening(mask, structure=morphology.disk(TISSUE_OPENING_RADIUS))
    mask = _remove_small_objects(mask, TISSUE_MIN_OBJECT)
    holes = _remove_small_objects(~mask, TISSUE_MAX_HOLE)
    return mask | ~holes


def derive_labels(rgb: np.ndarray, reference: dict | None = None) -> np.ndarray:
    """uint8 labels (0 background, 1 nuclei, 2 eosin-stroma) for an HxWx3 uint8 RGB image at ~0.5 um/px.

    reference: a model's stain_reference (dict); when given, the image is normalised to it (Macenko) first."""
    if reference is not None:
        import sys
        from pathlib import Path
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "stain"))
        import stainnorm
        source = stainnorm.estimate("macenko", stainnorm.tissue_pixels(rgb))
        rgb = stainnorm.transform("macenko", rgb, source, reference["macenko"])
    tissue = tissue_mask(rgb)
    hed = rgb2hed(rgb)
    h_raw = hed[..., 0]
    h = gaussian(h_raw, NUCLEI_H_SIGMA)
    h_background = gaussian(h_raw, NUCLEI_H_BACKGROUND_SIGMA)
    nuclei = tissue & (h > NUCLEI_H_ABSOLUTE) & (h - h_background > NUCLEI_H_LOCAL_CONTRAST)
    nuclei = ndi.binary_fill_holes(nuclei)
    nuclei = ndi.binary_opening(nuclei, structure=morphology.disk(NUCLEI_OPENING_RADIUS))
    nuclei = _remove_small_objects(nuclei, NUCLEI_MIN_OBJECT) & tissue
    labels = np.where(tissue, 2, 0).astype(np.uint8)
    labels[nuclei] = 1
    return labels


def eosin_dominance(rgb: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of class-2 pixels whose eosin density exceeds their haematoxylin density."""
    hed = rgb2hed(rgb)
    stroma = labels == 2
    if not stroma.any():
        return float("nan")
    return float((hed[..., 1][stroma] > hed[..., 0][stroma]).mean())
