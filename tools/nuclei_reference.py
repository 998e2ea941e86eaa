#!/usr/bin/env python3
"""Tessera's nuclei against scikit-image's (issue 27): the same probability maps, the same steps, two implementations.

For each of N crops of a real slide (level 0, square, taken on a fixed grid over the slide's tissue), this tool runs
`tessera model run MODEL CROP.png --nuclei CROP.json`, which segments the crop with the model, separates the nuclei of
the model's nucleus class exactly as a `tessera run` does for a tile, and writes them with the probability map they
came from (CROP.npy). It then separates that same map with SciPy and scikit-image, step by step:

  1. foreground: probability >= 0.5;
  2. holes of the foreground (4-connected background off the crop's edge) of at most 50 pixels filled;
  3. Euclidean distance to the background (scipy.ndimage.distance_transform_edt);
  4. markers: local maxima of the distance in a 7 x 7 window (skimage.feature.peak_local_max) that are also h-maxima
     of depth 1 (skimage.morphology.h_maxima), joined when within 3 pixels; each foreground component without one
     gets its highest pixel;
  5. watershed of the negated distance from the markers within the foreground (skimage.segmentation.watershed);
  6. objects under 16 pixels dropped; background pockets of at most 50 pixels enclosed by one object given to it;
  7. centroids of pixel centres (skimage.measure.regionprops, + 0.5).

It reports per crop and in all the two counts, their difference, and how many nuclei match one to one (centroids
within 1.5 pixels, greedy nearest first). Exit status 1 when the counts differ by more than 1% in all, or fewer
than 95% of nuclei match.

  tools/nuclei_reference.py TESSERA SLIDE [--model M] [--crops 6] [--size 256] [--out DIR]
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
from skimage.morphology import h_maxima
from skimage.segmentation import watershed

THRESHOLD, MARKER_RADIUS, MARKER_DEPTH, MINIMUM_PIXELS, MAXIMUM_HOLE = 0.5, 3, 1.0, 16, 50
FOUR = ndimage.generate_binary_structure(2, 1)


def enclosed_small(background, limit):
    """Components (4-connected) of `background` of at most `limit` pixels that do not touch the edge."""
    labels, count = ndimage.label(background, structure=FOUR)
    if count == 0:
        return labels, []
    sizes = np.bincount(labels.ravel())
    edge = set(np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])))
    return labels, [k for k in range(1, count + 1) if k not in edge and sizes[k] <= limit]


def separate(probability):
    foreground = probability >= THRESHOLD
    holes, small = enclosed_small(~foreground, MAXIMUM_HOLE)
    foreground |= np.isin(holes, small)
    distance = ndimage.distance_transform_edt(foreground)
    window = 2 * MARKER_RADIUS + 1
    peaks = np.zeros(distance.shape, bool)
    coordinates = peak_local_max(distance, footprint=np.ones((window, window)), labels=foreground.astype(int),
                                 exclude_border=False)
    peaks[tuple(coordinates.T)] = True
    peaks &= h_maxima(distance, MARKER_DEPTH).astype(bool)
    # Markers within the radius of each other are one marker.
    joined = ndimage.binary_dilation(peaks, structure=np.ones((MARKER_RADIUS + 1, MARKER_RADIUS + 1)))
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
                        "--nuclei", stem + ".json"], check=True, stdout=subprocess.DEVNULL)
        ours = [(n["x"], n["y"], n["pixels"]) for n in json.load(open(stem + ".json"))["nuclei"]]
        theirs = separate(np.load(stem + ".npy"))
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
