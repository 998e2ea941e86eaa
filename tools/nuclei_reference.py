#!/usr/bin/env python3
"""Tessera's nuclei against scikit-image's (issue 27): the same probability maps, the same steps, two implementations.

For each of N crops of a real slide (level 0, square, taken on a fixed grid over the slide's tissue), this tool runs
`tessera model run MODEL CROP.png --nuclei CROP.json`, which segments the crop with the model, separates the nuclei of
the model's nucleus class exactly as a `tessera run` does for a tile, and writes them with the probability map they
came from (CROP.npy). It then separates that same map, with the crop's pixels, with SciPy and scikit-image, step by
step:

  1. foreground: probability >= 0.5;
  2. holes of the foreground (4-connected background off the crop's edge) of at most 50 pixels filled;
  3. with --refine (Tessera's `refinesWithHaematoxylin`, opt-in; `model run --refine-nuclei`): the
     foreground redrawn from the crop's haematoxylin (the model proposes, the image refines):
     a. haematoxylin density: optical density -ln((v + 1) / 240) per channel, unmixed by least squares onto Ruifrok
        and Johnston's H and E vectors (skimage.color's rgb2hed vectors), smoothed by a Gaussian of sigma 0.7
        (scipy.ndimage.gaussian_filter, mirrored edges);
     b. candidates: the foreground dilated by skimage.morphology.disk(3);
     c. per candidate component (8-connected), the tissue's level: the median haematoxylin of the non-candidate
        pixels within 3 pixels (a 7 x 7 square) of it;
     d. per candidate pixel, the core's level: the 95th percentile, nearest rank (95 (n - 1) + 50) // 100 in
        ascending order, of the n candidate haematoxylin values within disk(6);
     e. foreground where the haematoxylin is at least halfway from the tissue's level to the core's;
     f. holes of at most 50 pixels filled, then an opening by the 4-neighbour cross (scipy.ndimage.binary_opening),
        then pieces (8-connected) of fewer than 30 pixels dropped;
     g. where the core stands less than 0.05 above the tissue, the probability's foreground as it was;
  4. Euclidean distance to the background (scipy.ndimage.distance_transform_edt);
  5. markers: local maxima of the distance in a 7 x 7 window (skimage.feature.peak_local_max) that are also h-maxima
     of depth 1 (skimage.morphology.h_maxima), joined when within 3 pixels (Chebyshev: each dilated by a 3 x 3
     square, then 8-connected); each foreground component without one gets its highest pixel;
  6. watershed of the negated distance from the markers within the foreground (skimage.segmentation.watershed);
  7. objects under 16 pixels dropped; background pockets of at most 50 pixels enclosed by one object given to it;
  8. centroids of pixel centres (skimage.measure.regionprops, + 0.5).

It reports per crop and in all the two counts, their difference, and how many nuclei match one to one (centroids
within 1.5 pixels, greedy nearest first). Exit status 1 when the counts differ by more than 1% in all, or fewer
than 95% of nuclei match.

  tools/nuclei_reference.py TESSERA SLIDE [--model M] [--crops 6] [--size 256] [--out DIR] [--refine]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import openslide
from PIL import Image
from scipy import ndimage
from skimage.feature import peak_local_max
from skimage.measure import regionprops
from skimage.morphology import disk, h_maxima
from skimage.segmentation import watershed

THRESHOLD, MARKER_RADIUS, MARKER_DEPTH, MINIMUM_PIXELS, MAXIMUM_HOLE = 0.5, 3, 1.0, 16, 50
SMOOTHING, CANDIDATE_GROWTH, BACKGROUND_RING, CORE_RADIUS, EDGE_FRACTION, MINIMUM_CONTRAST = 0.7, 3, 3, 6, 0.5, 0.05
CORE_PERCENTILE, MINIMUM_REFINED = 95, 30


def _unit(v):
    v = np.asarray(v, float)
    return v / np.linalg.norm(v)


# Least-squares unmixing onto (H, E): the first row of the pseudo-inverse of [h e].
HAEMATOXYLIN_ROW = np.linalg.pinv(np.stack([_unit([0.65, 0.70, 0.29]), _unit([0.07, 0.99, 0.11])], 1))[0]


def haematoxylin(rgb):
    return (-np.log((rgb.astype(float) + 1) / 240.0)) @ HAEMATOXYLIN_ROW
FOUR = ndimage.generate_binary_structure(2, 1)
OFFSETS = np.argwhere(disk(CORE_RADIUS)) - CORE_RADIUS


def enclosed_small(background, limit):
    """Components (4-connected) of `background` of at most `limit` pixels that do not touch the edge."""
    labels, count = ndimage.label(background, structure=FOUR)
    if count == 0:
        return labels, []
    sizes = np.bincount(labels.ravel())
    edge = set(np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])))
    return labels, [k for k in range(1, count + 1) if k not in edge and sizes[k] <= limit]


def refine(seed, rgb):
    """Step 3: the foreground redrawn from the image's haematoxylin within the dilated seed."""
    h = ndimage.gaussian_filter(haematoxylin(rgb), SMOOTHING, mode="reflect", truncate=4.0)
    candidate = ndimage.binary_dilation(seed, structure=disk(CANDIDATE_GROWTH))
    components, count = ndimage.label(candidate, structure=np.ones((3, 3)))
    tissue = np.zeros_like(h)
    ring = np.ones((2 * BACKGROUND_RING + 1, 2 * BACKGROUND_RING + 1), bool)
    for k in range(1, count + 1):
        component = components == k
        values = h[ndimage.binary_dilation(component, structure=ring) & ~candidate]
        tissue[component] = np.median(values) if len(values) else 0
    core = core_level(h, candidate)
    contrast = core - tissue
    refined = contrast >= MINIMUM_CONTRAST
    foreground = candidate & refined & (h >= tissue + EDGE_FRACTION * contrast)
    holes, small = enclosed_small(~foreground, MAXIMUM_HOLE)
    foreground |= np.isin(holes, small)
    foreground = ndimage.binary_opening(foreground, structure=FOUR)
    pieces, _ = ndimage.label(foreground, structure=np.ones((3, 3)))
    foreground &= (np.bincount(pieces.ravel()) >= MINIMUM_REFINED)[pieces]
    return foreground | (candidate & ~refined & seed)


def core_level(h, candidate):
    """Step 3d at every candidate pixel (-inf elsewhere)."""
    ys, xs = np.nonzero(candidate)
    values = np.full((len(OFFSETS), len(ys)), np.nan)
    for k, (dy, dx) in enumerate(OFFSETS):
        yy, xx = ys + dy, xs + dx
        inside = (yy >= 0) & (xx >= 0) & (yy < h.shape[0]) & (xx < h.shape[1])
        inside[inside] = candidate[yy[inside], xx[inside]]
        values[k, inside] = h[yy[inside], xx[inside]]
    values.sort(axis=0)  # NaN (outside the candidates or the crop) last
    count = (~np.isnan(values)).sum(axis=0)
    core = np.full(h.shape, -np.inf)
    core[ys, xs] = values[(CORE_PERCENTILE * (count - 1) + 50) // 100, np.arange(len(ys))]
    return core


def separate(probability, rgb=None):
    foreground = probability >= THRESHOLD
    holes, small = enclosed_small(~foreground, MAXIMUM_HOLE)
    foreground |= np.isin(holes, small)
    if rgb is not None:
        foreground = refine(foreground, rgb)
    distance = ndimage.distance_transform_edt(foreground)
    window = 2 * MARKER_RADIUS + 1
    peaks = np.zeros(distance.shape, bool)
    coordinates = peak_local_max(distance, footprint=np.ones((window, window)), labels=foreground.astype(int),
                                 exclude_border=False)
    peaks[tuple(coordinates.T)] = True
    peaks &= h_maxima(distance, MARKER_DEPTH).astype(bool)
    # Markers within the radius (Chebyshev) of each other are one marker: two squares of side r touch (8-connected)
    # where their centres are at most r apart.
    joined = ndimage.binary_dilation(peaks, structure=np.ones((MARKER_RADIUS, MARKER_RADIUS)))
    marker_groups, _ = ndimage.label(joined, structure=np.ones((3, 3)))
    markers = np.where(peaks, marker_groups, 0)
    components, count = ndimage.label(foreground, structure=np.ones((3, 3)))
    next_label = markers.max() + 1
    for k in range(1, count + 1):
        inside = components == k
        if not markers[inside].any():
            flat = np.where(inside, distance, -1).argmax()
            markers.flat[flat] = next_label
            next_label += 1
    labels = watershed(-distance, markers, mask=foreground)
    sizes = np.bincount(labels.ravel())
    labels[(labels > 0) & (sizes[labels] < MINIMUM_PIXELS)] = 0
    pockets, small = enclosed_small(labels == 0, MAXIMUM_HOLE)
    for k in small:
        pocket = pockets == k
        around = np.unique(labels[ndimage.binary_dilation(pocket, structure=FOUR) & ~pocket])
        around = around[around > 0]
        if len(around) == 1:
            labels[pocket] = around[0]
    return [(r.centroid[1] + 0.5, r.centroid[0] + 0.5, r.area) for r in regionprops(labels)]


def match(ours, theirs, tolerance=1.5):
    pairs = sorted(((np.hypot(a[0] - b[0], a[1] - b[1]), i, j) for i, a in enumerate(ours) for j, b in enumerate(theirs)
                    if abs(a[0] - b[0]) <= tolerance and abs(a[1] - b[1]) <= tolerance))
    used_a, used_b, matched = set(), set(), []
    for d, i, j in pairs:
        if d <= tolerance and i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            matched.append((i, j, d))
    return matched


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("tessera")
    parser.add_argument("slide")
    parser.add_argument("--model", default=os.path.join(os.path.dirname(__file__), "..", "Sources", "TesseraPipeline",
                                                        "Resources", "default.safetensors"))
    parser.add_argument("--crops", type=int, default=6)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--out")
    parser.add_argument("--refine", action="store_true",
                        help="step 3 on both sides: `model run --refine-nuclei`, the haematoxylin refinement here")
    args = parser.parse_args()
    out = args.out or tempfile.mkdtemp(prefix="tessera-nuclei-reference-")
    os.makedirs(out, exist_ok=True)
    slide = openslide.OpenSlide(args.slide)
    width, height = slide.dimensions
    # Crops on a fixed grid over the slide, those with the most tissue (darkest) first.
    candidates = []
    for y in range(0, height - args.size + 1, args.size):
        for x in range(0, width - args.size + 1, args.size):
            rgb = np.asarray(slide.read_region((x, y), 0, (args.size, args.size)).convert("RGB"))
            candidates.append((rgb.mean(), x, y, rgb))
    candidates.sort(key=lambda c: c[0])
    total_ours = total_theirs = total_matched = 0
    distances = []
    print(f"{'crop':>14} {'tessera':>8} {'skimage':>8} {'diff':>7} {'matched':>8}")
    for _, x, y, rgb in candidates[: args.crops]:
        stem = os.path.join(out, f"crop-{x}-{y}")
        Image.fromarray(rgb).save(stem + ".png")
        subprocess.run([args.tessera, "model", "run", args.model, stem + ".png", "--out", stem + ".labels.png",
                        "--nuclei", stem + ".json"] + (["--refine-nuclei"] if args.refine else []),
                       check=True, stdout=subprocess.DEVNULL)
        ours = [(n["x"], n["y"], n["pixels"]) for n in json.load(open(stem + ".json"))["nuclei"]]
        theirs = separate(np.load(stem + ".npy"), rgb if args.refine else None)
        matched = match(ours, theirs)
        distances += [d for _, _, d in matched]
        total_ours += len(ours)
        total_theirs += len(theirs)
        total_matched += len(matched)
        diff = (len(ours) - len(theirs)) / max(1, len(theirs))
        print(f"{x:>6},{y:<7} {len(ours):>8} {len(theirs):>8} {diff:>+7.1%} {len(matched):>8}")
    diff = (total_ours - total_theirs) / max(1, total_theirs)
    share = total_matched / max(1, max(total_ours, total_theirs))
    print(f"{'all':>14} {total_ours:>8} {total_theirs:>8} {diff:>+7.1%} {total_matched:>8} "
          f"({share:.1%} matched, mean centroid distance {np.mean(distances) if distances else 0:.3f} px)")
    if total_theirs == 0 or abs(diff) > 0.01 or share < 0.95:
        print("nuclei differ from scikit-image's beyond 1% in count or 95% matched", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
