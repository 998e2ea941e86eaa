#!/usr/bin/env python3
"""HistoQC's published blur and dark-tissue rules, re-implemented from its source for issue 26's comparison.

HistoQC (github.com/choosehappy/HistoQC, also published as choosing-histoqc/HistoQC) is not on PyPI under its own
name and its repository cannot be installed here, so its rules are re-implemented from its source (read at
commit 076b959c of histoqc/BlurDetectionModule.py and histoqc/LightDarkModule.py, histoqc/config/config.ini at
3287bdec), not copied:

- blur (BlurDetectionModule.identifyBlurryRegions, config.ini: image_work_size 2.5x, blur_radius 100,
  blur_threshold 0.15): the image at 2.5x magnification (4 um/px), to gray (skimage rgb2gray), the absolute value of
  skimage's Laplace filter (ksize 3), a Gaussian of sigma blur_radius pixels, flagged where <= blur_threshold,
  within the tissue. The module's own defaults (blur_radius 7, blur_threshold 0.1) are run too, as blur_default.
- fold: HistoQC has no fold module; its dark-tissue rule is what flags folds (LightDarkModule.
  getIntensityThresholdPercent:darktissue, config.ini: upper_threshold 0.15, invert, at image_work_size 1.25x,
  8 um/px): gray < 0.15, within the tissue.
- pen: NOT reproduced. HistoQC finds pen with ClassificationModule.byExampleWithFeatures: a random forest trained at
  run time on example images shipped in its repository (pen/1k_version/pen_green.png and its mask), on frangi,
  laplace and rgb features. Its rule is those images; they are binary files this session could not read, so no
  faithful re-implementation is possible here.
- bubble edges: HistoQC's coverslip_edge is the same kind of trained classifier (models/coverslip_edge_he); not
  reproduced either.

Each rule runs at HistoQC's magnification (the set's image reduced by area averaging to 4 or 8 um/px) and its mask
is brought back to the set's size (nearest neighbour), then written as PRED/<slide>/<variant>.<kind>.png for
tools/qc/evaluate_masks.py.

Usage: histoqc_rules.py PRED [--set fixtures/qc-artefacts]
"""
import argparse
import json
import os
import time

import numpy as np
from PIL import Image
from scipy import ndimage
from skimage import filters
from skimage.color import rgb2gray

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VARIANTS = ["clean", "pen", "blur", "fold", "bubble"]


def at_mpp(image, mpp, target):
    height, width = image.shape[:2]
    size = (max(1, round(width * mpp / target)), max(1, round(height * mpp / target)))
    return np.asarray(Image.fromarray(image).resize(size, Image.BOX))


def back(mask, shape):
    return np.asarray(Image.fromarray(mask.astype(np.uint8) * 255).resize((shape[1], shape[0]), Image.NEAREST)) >= 128


def blur_rule(image, mpp, radius, threshold):
    small = at_mpp(image, mpp, 4.0)
    gray = rgb2gray(small)
    laplace = np.abs(filters.laplace(gray, ksize=3))
    return back(filters.gaussian(laplace, sigma=radius) <= threshold, image.shape)


def dark_rule(image, mpp):
    small = at_mpp(image, mpp, 8.0)
    return back(rgb2gray(small) < 0.15, image.shape)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pred")
    parser.add_argument("--set", default=os.path.join(ROOT, "fixtures", "qc-artefacts"))
    parser.add_argument("--blur-default", action="store_true",
                        help="the module's defaults (blur_radius 7, blur_threshold 0.1) instead of config.ini's")
    args = parser.parse_args()
    radius, threshold = (7, 0.1) if args.blur_default else (100, 0.15)
    with open(os.path.join(args.set, "manifest.json")) as f:
        manifest = json.load(f)
    started = time.perf_counter()
    for slide, record in manifest["slides"].items():
        directory = os.path.join(args.set, slide)
        out = os.path.join(args.pred, slide)
        os.makedirs(out, exist_ok=True)
        tissue = np.asarray(Image.open(os.path.join(directory, "tissue.png")).convert("L")) >= 128
        for variant in VARIANTS:
            image = np.asarray(Image.open(os.path.join(directory, f"{variant}.png")).convert("RGB"))
            masks = {"blur": blur_rule(image, record["qc_mpp"], radius, threshold) & tissue,
                     "fold": dark_rule(image, record["qc_mpp"]) & tissue}
            for kind, mask in masks.items():
                Image.fromarray(mask.astype(np.uint8) * 255).save(os.path.join(out, f"{variant}.{kind}.png"))
    print(f"HistoQC rules (blur radius {radius}, threshold {threshold}; dark < 0.15): "
          f"{time.perf_counter() - started:.2f} s for the set")


if __name__ == "__main__":
    main()
