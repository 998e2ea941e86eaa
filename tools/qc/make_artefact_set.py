#!/usr/bin/env python3
"""Issue 26's artefact set: real tissue with artefacts of known mask, reproducible from a seed.

For each real slide (fixtures/slides/CMU-1-Small-Region.svs, fixtures/slides/OS-1-detail.tiff) it reads level 0
with openslide-python, adds one kind of artefact per image at full resolution, in optical density (transmitted
light: densities add, Io = 240), then reduces each image to the QC resolution by area averaging:

- clean: the slide as it is (for false positives);
- pen: three strokes 50-110 um wide along random smooth curves, in three inks: teal (40, 115, 122), the densest
  colour of the real margin dye on CMU-1 (measured: the median of its pixels with L* < 60 whose hue is 150-250
  degrees), blue (40, 70, 160) and black (35, 35, 40) (typical marker colours on glass; no scan with these inks is
  in the fixtures, so they are chosen, not measured), each at a pressure of 0.75-1.0 varying along the stroke;
- blur: two regions (ellipses covering about 10% and 6% of the tissue's bounding box) blurred with Gaussian
  sigma 3 and 5 um;
- fold: a band of the tissue overlaid by a copy of the tissue shifted 25-45 um, both densities added and darkened
  by 1.1 (a fold is denser than two flat layers);
- bubble: the edge of an air bubble: a ring 4 um wide of neutral density 0.9 (a dark grey line), radius 250-400 um,
  centred so that it crosses glass and tissue.

Known masks (255 = artefact) at the QC resolution: a pixel is in the mask when at least half of its area is. pen:
the strokes; blur: the blurred ellipses within the tissue; fold: the band where both layers are tissue; bubble: the
ring. tissue.png: the clean image's tissue (optical density >= 0.15 in at least one channel after a 3 um Gaussian,
then holes under 400 um^2 filled and specks under 400 um^2 dropped), the denominator of false positives.

Writes OUT/<slide>/{clean,pen,blur,fold,bubble}.png, OUT/<slide>/{tissue,pen.mask,blur.mask,fold.mask,
bubble.mask}.png and OUT/manifest.json (seed, QC resolution, sizes, parameters).

Usage: tools/qc/.venv/bin/python tools/qc/make_artefact_set.py [--seed 26] [--out fixtures/qc-artefacts]
"""
import argparse
import json
import math
import os

import numpy as np
import openslide
from PIL import Image
from scipy import ndimage

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IO = 240.0

# (file, level-0 µm/px when the file does not state it, QC resolution in µm/px)
SLIDES = [
    ("CMU-1-Small-Region.svs", None, 2.0),
    ("OS-1-detail.tiff", 0.2271, 1.0),
]

INKS = {
    "teal": (40, 115, 122),
    "blue": (40, 70, 160),
    "black": (35, 35, 40),
}


def od_of(rgb):
    return -np.log(np.asarray(rgb, dtype=np.float64) / IO)


def to_od(image):
    return -np.log((image.astype(np.float64) + 1) / IO)


def to_rgb(od):
    return np.clip(np.rint(IO * np.exp(-od) - 1), 0, 255).astype(np.uint8)


def tissue_mask(image, mpp):
    od = to_od(image)
    smooth = ndimage.gaussian_filter(od.max(axis=2), sigma=3 / mpp)
    mask = smooth >= 0.15
    min_px = int(400 / (mpp * mpp))
    labels, n = ndimage.label(~mask)
    sizes = ndimage.sum(np.ones_like(labels), labels, range(1, n + 1))
    for i, size in enumerate(sizes, start=1):
        if size < min_px:
            mask[labels == i] = True
    labels, n = ndimage.label(mask)
    sizes = ndimage.sum(np.ones_like(labels), labels, range(1, n + 1))
    for i, size in enumerate(sizes, start=1):
        if size < min_px:
            mask[labels == i] = False
    return mask


def smooth_curve(rng, width, height, points=400):
    """A random smooth curve across the image: a line between two edge points bent by three sinusoids."""
    x0, y0 = rng.uniform(0, width), rng.uniform(0, 0.2 * height)
    x1, y1 = rng.uniform(0, width), rng.uniform(0.8 * height, height)
    if rng.random() < 0.5:
        x0, y0, x1, y1 = rng.uniform(0, 0.2 * width), rng.uniform(0, height), rng.uniform(0.8 * width, width), rng.uniform(0, height)
    t = np.linspace(0, 1, points)
    length = math.hypot(x1 - x0, y1 - y0)
    nx, ny = -(y1 - y0) / length, (x1 - x0) / length
    bend = sum(rng.uniform(0.03, 0.08) * length * np.sin((k + 1) * math.pi * t + rng.uniform(0, 2 * math.pi))
               for k in range(3))
    return x0 + (x1 - x0) * t + nx * bend, y0 + (y1 - y0) * t + ny * bend


def stroke_field(width, height, xs, ys, half_width):
    """Distance from each pixel to the polyline (xs, ys), via a distance transform of its rasterised points."""
    seeds = np.ones((height, width), dtype=bool)
    for k in range(len(xs) - 1):
        steps = int(max(abs(xs[k + 1] - xs[k]), abs(ys[k + 1] - ys[k]))) + 1
        for s in np.linspace(0, 1, steps + 1):
            x = int(round(xs[k] + (xs[k + 1] - xs[k]) * s))
            y = int(round(ys[k] + (ys[k + 1] - ys[k]) * s))
            if 0 <= x < width and 0 <= y < height:
                seeds[y, x] = False
    distance = ndimage.distance_transform_edt(seeds)
    return distance <= half_width, distance


def ellipse(width, height, cx, cy, a, b, angle):
    y, x = np.mgrid[0:height, 0:width]
    dx, dy = x + 0.5 - cx, y + 0.5 - cy
    u = dx * math.cos(angle) + dy * math.sin(angle)
    v = -dx * math.sin(angle) + dy * math.cos(angle)
    return (u / a) ** 2 + (v / b) ** 2 <= 1


def reduce_image(image, size):
    return np.asarray(Image.fromarray(image).resize(size, Image.BOX))


def reduce_mask(mask, size):
    fraction = np.asarray(Image.fromarray(mask.astype(np.float32)).resize(size, Image.BOX))
    return fraction >= 0.5


def save(path, array):
    Image.fromarray(array).save(path, optimize=True)


def make(slide_name, stated_mpp, qc_mpp, rng, out):
    slide = openslide.OpenSlide(os.path.join(ROOT, "fixtures", "slides", slide_name))
    mpp = float(slide.properties.get(openslide.PROPERTY_NAME_MPP_X, stated_mpp or 0)) or stated_mpp
    width, height = slide.dimensions
    image = np.asarray(slide.read_region((0, 0), 0, (width, height)).convert("RGB"))
    size = (round(width * mpp / qc_mpp), round(height * mpp / qc_mpp))
    actual_mpp = mpp * width / size[0]
    od = to_od(image)
    tissue = tissue_mask(image, mpp)
    ys, xs = np.nonzero(tissue)
    box = (xs.min(), ys.min(), xs.max(), ys.max())
    bw, bh = box[2] - box[0], box[3] - box[1]
    name = os.path.splitext(slide_name)[0]
    directory = os.path.join(out, name)
    os.makedirs(directory, exist_ok=True)
    record = {"file": slide_name, "level0_mpp": mpp, "qc_mpp": actual_mpp, "size": list(size), "artefacts": {}}

    def tissue_point():
        k = rng.integers(len(xs))
        return float(xs[k]), float(ys[k])

    variants = {"clean": (od, None)}

    # Pen: three strokes.
    pen_od = od.copy()
    pen_mask = np.zeros(tissue.shape, dtype=bool)
    strokes = []
    for ink_name, colour in INKS.items():
        half_um = rng.uniform(25, 55)
        cx, cy = smooth_curve(rng, width, height)
        core, distance = stroke_field(width, height, cx, cy, half_um / mpp)
        # Pressure along the stroke (smooth in x + y) and a one-pixel anti-aliased edge.
        yy, xx = np.mgrid[0:height, 0:width]
        pressure = 0.875 + 0.125 * np.sin((xx + yy) / (rng.uniform(80, 160) / mpp) + rng.uniform(0, 6))
        coverage = np.clip(half_um / mpp + 0.5 - distance, 0, 1)
        pen_od += (coverage * pressure)[..., None] * od_of(colour)[None, None, :]
        pen_mask |= core
        strokes.append({"ink": ink_name, "rgb": colour, "width_um": 2 * half_um})
    variants["pen"] = (pen_od, pen_mask)
    record["artefacts"]["pen"] = strokes

    # Blur: two ellipses within the tissue's box.
    blur_od = od.copy()
    blur_region = np.zeros(tissue.shape, dtype=bool)
    regions = []
    for sigma_um, share in ((3.0, 0.10), (5.0, 0.06)):
        area = share * bw * bh
        ratio = rng.uniform(0.5, 1.0)
        a = math.sqrt(area / (math.pi * ratio))
        cx, cy = tissue_point()
        region = ellipse(width, height, cx, cy, a, a * ratio, rng.uniform(0, math.pi))
        blurred = np.stack([ndimage.gaussian_filter(od[..., c], sigma_um / mpp) for c in range(3)], axis=2)
        blur_od[region] = blurred[region]
        blur_region |= region
        regions.append({"sigma_um": sigma_um, "centre": [cx, cy], "semi_axes_px": [a, a * ratio]})
    variants["blur"] = (blur_od, blur_region & tissue)
    record["artefacts"]["blur"] = regions

    # Fold: a band (a long ellipse) overlaid by the tissue shifted 25-45 µm.
    shift_um = rng.uniform(25, 45)
    direction = rng.uniform(0, 2 * math.pi)
    dx, dy = int(round(shift_um / mpp * math.cos(direction))), int(round(shift_um / mpp * math.sin(direction)))
    cx, cy = tissue_point()
    band = ellipse(width, height, cx, cy, 0.30 * min(bw, bh), 0.09 * min(bw, bh), rng.uniform(0, math.pi))
    shifted_od = np.roll(od, (dy, dx), axis=(0, 1))
    shifted_tissue = np.roll(tissue, (dy, dx), axis=(0, 1))
    fold_mask = band & tissue & shifted_tissue
    fold_od = od.copy()
    fold_od[fold_mask] = (od[fold_mask] + shifted_od[fold_mask]) * 1.1
    variants["fold"] = (fold_od, fold_mask)
    record["artefacts"]["fold"] = {"shift_px": [dx, dy], "centre": [cx, cy], "darkening": 1.1}

    # Bubble edge: a ring 4 µm wide, neutral density 0.9, crossing glass and tissue.
    radius = rng.uniform(250, 400) / mpp
    bx = box[0] + rng.uniform(-0.2, 0.2) * bw
    by = box[1] + rng.uniform(0.2, 0.8) * bh
    y, x = np.mgrid[0:height, 0:width]
    distance = np.hypot(x + 0.5 - bx, y + 0.5 - by)
    ring = np.abs(distance - radius) <= 2.0 / mpp
    bubble_od = od.copy()
    bubble_od[ring] += 0.9
    variants["bubble"] = (bubble_od, ring)
    record["artefacts"]["bubble"] = {"centre": [bx, by], "radius_px": radius, "width_um": 4.0, "density": 0.9}

    for variant, (variant_od, mask) in variants.items():
        save(os.path.join(directory, f"{variant}.png"), reduce_image(to_rgb(variant_od), size))
        if mask is not None:
            save(os.path.join(directory, f"{variant}.mask.png"), (reduce_mask(mask, size) * 255).astype(np.uint8))
    save(os.path.join(directory, "tissue.png"), (reduce_mask(tissue, size) * 255).astype(np.uint8))
    return name, record


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=26)
    parser.add_argument("--out", default=os.path.join(ROOT, "fixtures", "qc-artefacts"))
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    manifest = {"seed": args.seed, "maker": "tools/qc/make_artefact_set.py", "slides": {}}
    for slide_name, stated_mpp, qc_mpp in SLIDES:
        name, record = make(slide_name, stated_mpp, qc_mpp, rng, args.out)
        manifest["slides"][name] = record
        print(f"{name}: {record['size'][0]} x {record['size'][1]} px at {record['qc_mpp']:.4f} um/px")
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2, default=float)
        f.write("\n")


if __name__ == "__main__":
    main()
