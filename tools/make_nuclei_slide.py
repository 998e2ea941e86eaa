#!/usr/bin/env python3
"""Makes a synthetic H&E slide with known nuclei (issue 27's proof): drawn nuclei on real stroma, and their truth.

  tools/make_nuclei_slide.py OUT_DIR [--source fixtures/slides/CMU-1-Small-Region.svs] [--size 1536] [--seed 27]
                             [--shift 96]

Writes to OUT_DIR:
  slide.tiff          SIZE x SIZE, tiled (256 px), pyramidal, deflate, with an Aperio-style ImageDescription
                      (`|MPP = 0.5`), which is how OpenSlide 3.4.1 learns the resolution (as tools/make_large_slide.py);
  slide-shifted.tiff  the same pixels with SHIFT white (glass) pixels added on the left and the top, so that the
                      tile grid, anchored at the slide's origin, falls differently on every nucleus;
  truth.tiff          the nuclei's instance labels (uint16, 0 = none; a nucleus drawn over another hides it there);
  truth.json          the drawn ellipses: centre (level-0 pixels), semi-axes (pixels), angle, group and kind, and each
                      nucleus's visible area and centroid in the label image (pixel centres at +0.5).

How it is made, all from one seed:
  1. Stroma. The source slide (a real H&E scan; CMU-1-Small-Region.svs by default) is read at level 0. Its own
     nuclei are painted over with stroma copied from a nearby offset that holds none (patch copy, edges feathered),
     so that the only nuclei of the slide are the drawn ones: pixels of haematoxylin above 0.07 (scikit-image's
     Ruifrok-Johnston deconvolution; components of 8 pixels or more) and anything else stained that is not eosin
     (pale and out-of-focus nuclei, pigment: OD green / red under 2 where eosin has about 3; components of 10
     pixels or more), grown by 3 pixels. Blocks of 192 pixels of the cleaned source where it is stroma (no epidermis
     or other cellular tissue within 16 pixels: smoothed OD red / green under 0.5, where epidermis has 0.6 to 0.7;
     under 25% glass; no tissue-marking ink) are laid on the canvas at random, rotated and flipped at random, each
     blended into its neighbours over 32 pixels.
  2. Nuclei, in groups placed without touching other groups: single nuclei, touching pairs, overlapping pairs
     (centres at 75% of the touching distance) and clusters of three or four around a centre. Major semi-axis 5 to
     12 pixels at 0.5 µm/px (2.5 to 6 µm: nuclei 5 to 12 µm long), the minor 55 to 100% of it, any angle. The
     bundled model's resolution (0.5 µm/px) is the slide's, so `tessera run` counts nuclei (--nuclei auto).
  3. Colour. Each nucleus takes the optical density (OD) of one real nucleus of the source slide (the mean OD of the
     core of a source nucleus: haematoxylin over the threshold, eroded), with chromatin texture (smoothed noise,
     +-12%), a darker rim (+25% at the edge) and a paler centre; its edge is antialiased. Drawn in order, a later
     nucleus covers an earlier one. The nuclei's OD and coverage are blurred by a Gaussian of 0.7 pixels (chosen
     by eye against CMU's nuclei, not measured; the stroma is left as scanned), and composited over the stroma's OD.
     The bundled model draws these nuclei's edges where it draws real ones: its outlines enclose 15-18% more than
     the half-darkness contour of isolated nuclei here and 15% more on CMU's own nuclei (BENCHMARKS.md).
"""
import argparse
import json
import os

import numpy as np
import openslide
import tifffile
from scipy import ndimage
from skimage.color import rgb2hed

MPP = 0.5
TILE = 256
BLOCK, BLEND = 192, 32
NUCLEUS_H = 0.07          # haematoxylin (rgb2hed) above which a source pixel is taken as nucleus
STROMA_RED_GREEN = 0.5    # smoothed OD red / green below which a source region is stroma (epidermis: 0.6 to 0.7)
STAINED_OD = 0.6          # OD (sum of R, G, B) above which a source pixel that is not eosin is painted over
EOSIN_GREEN_RED = 2.0     # OD green / red above which a pixel is eosin (stroma: about 3; nuclei and pigment: 1.5)


def optical_density(rgb):
    return -np.log(np.clip(rgb.astype(np.float64), 1, 255) / 255.0)


def to_rgb(od):
    return np.clip(np.round(255.0 * np.exp(-od)), 0, 255).astype(np.uint8)


def clean_stroma(rgb, rng):
    """The source with its own nuclei painted over from nearby nucleus-free stroma; the stroma mask; the real
    nuclei's core OD vectors."""
    hed = rgb2hed(rgb)
    h = hed[..., 0]
    od = optical_density(rgb)
    nucleus = h > NUCLEUS_H
    labels, count = ndimage.label(nucleus)
    sizes = np.bincount(labels.ravel())
    nucleus = (labels > 0) & (sizes[labels] >= 8)
    # Anything else stained that is not eosin (pale or out-of-focus nuclei, pigment) is painted over as well: eosin
    # absorbs green far more than red, nuclei and pigment do not (OD smoothed over 1.5 pixels, components of 10
    # pixels or more).
    smooth = ndimage.gaussian_filter(od, (1.5, 1.5, 0))
    other = (smooth.sum(axis=2) > STAINED_OD) & (smooth[..., 1] < EOSIN_GREEN_RED * np.maximum(smooth[..., 0], 1e-3))
    labels, _ = ndimage.label(other)
    other = (labels > 0) & (np.bincount(labels.ravel())[labels] >= 10)
    # The real nuclei's colours: mean OD of each nucleus's core.
    cores, ncores = ndimage.label(ndimage.binary_erosion(nucleus, iterations=1))
    core_sizes = np.bincount(cores.ravel())
    colours = np.stack([ndimage.mean(od[..., c], cores, np.arange(1, ncores + 1)) for c in range(3)], axis=1)
    # Real nuclei absorb green most and red more than blue; tissue-marking ink absorbs red most.
    colours = colours[(core_sizes[1:] >= 12) & (colours[:, 1] > colours[:, 0]) & (colours[:, 0] > colours[:, 2])]
    mask = ndimage.binary_dilation(nucleus | other, iterations=3)
    out = rgb.astype(np.float64).copy()
    height, width = mask.shape
    components, ncomp = ndimage.label(mask)
    white = rgb.min(axis=2) > 215
    for k, box in enumerate(ndimage.find_objects(components), start=1):
        region = components[box] == k
        y0, y1, x0, x1 = box[0].start, box[0].stop, box[1].start, box[1].stop
        grow = 2
        y0g, y1g, x0g, x1g = max(0, y0 - grow), min(height, y1 + grow), max(0, x0 - grow), min(width, x1 + grow)
        area = np.zeros((y1g - y0g, x1g - x0g), bool)
        area[y0 - y0g:y1 - y0g, x0 - x0g:x1 - x0g] = region
        area = ndimage.binary_dilation(area, iterations=grow)
        weight = np.clip(ndimage.gaussian_filter(area.astype(float), 1.0) * 1.6, 0, 1)[..., None]
        for _ in range(100):
            radius = rng.uniform(1.2, 4.0) * max(y1 - y0, x1 - x0, 8)
            angle = rng.uniform(0, 2 * np.pi)
            dy, dx = int(round(radius * np.sin(angle))), int(round(radius * np.cos(angle)))
            sy0, sy1, sx0, sx1 = y0g + dy, y1g + dy, x0g + dx, x1g + dx
            if sy0 < 0 or sx0 < 0 or sy1 > height or sx1 > width:
                continue
            if mask[sy0:sy1, sx0:sx1].any() or white[sy0:sy1, sx0:sx1][area].mean() > 0.5:
                continue
            out[y0g:y1g, x0g:x1g] = out[y0g:y1g, x0g:x1g] * (1 - weight) + out[sy0:sy1, sx0:sx1] * weight
            break
    # Stroma: eosin tissue, where red light is absorbed much less than green (smoothed over 16 pixels: epidermis and
    # other cellular tissue absorb red too), no tissue-marking ink (green-blue: absorbs red most) and no glass.
    tissue_od = np.where(white[..., None], 0, od)
    red, green = (ndimage.gaussian_filter(tissue_od[..., c], 16) for c in (0, 1))
    signed = rgb.astype(int)
    ink = ndimage.binary_dilation((signed[..., 0] < 170) & (signed[..., 1] > signed[..., 0] + 30)
                                  & (signed[..., 2] > signed[..., 0] + 30), iterations=4)
    cellular = ndimage.binary_dilation((red >= STROMA_RED_GREEN * np.maximum(green, 1e-3)) & ~white, iterations=16)
    usable = (ndimage.uniform_filter(cellular.astype(float), BLOCK) < 0.005) \
        & (ndimage.uniform_filter(white.astype(float), BLOCK) < 0.25) \
        & (ndimage.uniform_filter(ink.astype(float), BLOCK) < 0.001)
    return out.astype(np.uint8), usable, colours


def stroma_canvas(source, usable, size, rng):
    """A canvas of size x size from random blocks of the cleaned source, blended over BLEND pixels."""
    half = BLOCK // 2
    centres = np.argwhere(usable[half:-half, half:-half]) + half
    step = BLOCK - BLEND
    n = (size - BLEND + step - 1) // step
    extent = n * step + BLEND
    total = np.zeros((extent, extent, 3))
    weights = np.zeros((extent, extent, 1))
    ramp = np.minimum(1.0, (np.arange(BLOCK) + 0.5) / BLEND)
    ramp = np.minimum(ramp, ramp[::-1])
    window = (ramp[:, None] * ramp[None, :])[..., None]
    for row in range(n):
        for column in range(n):
            cy, cx = centres[rng.integers(len(centres))]
            block = source[cy - half:cy + half, cx - half:cx + half].astype(np.float64)
            block = np.rot90(block, rng.integers(4))
            if rng.integers(2):
                block = block[:, ::-1]
            y, x = row * step, column * step
            total[y:y + BLOCK, x:x + BLOCK] += block * window
            weights[y:y + BLOCK, x:x + BLOCK] += window
    return (total / weights)[:size, :size]


def place_groups(size, rng, overlap, margin=24, target=480):
    """Ellipses (cx, cy, a, b, angle, group, kind) in groups that keep 4 pixels from each other."""
    ellipses, discs = [], []  # discs: (x, y, r) bounding each group
    kinds = ["single"] * 5 + ["touching"] * 3 + ["overlapping"] * 3 + ["cluster"] * 2
    attempts = 0
    while len(ellipses) < target and attempts < 20000:
        attempts += 1
        kind = kinds[rng.integers(len(kinds))]
        count = {"single": 1, "touching": 2, "overlapping": 2, "cluster": int(rng.integers(3, 5))}[kind]
        members = []
        for _ in range(count):
            a = rng.uniform(5, 12)
            b = a * rng.uniform(0.55, 1.0)
            members.append([0.0, 0.0, a, b, rng.uniform(0, np.pi)])
        if kind in ("touching", "overlapping"):
            direction = rng.uniform(0, 2 * np.pi)
            ux, uy = np.cos(direction), np.sin(direction)
            # Distance from centre to edge of each ellipse along the line joining them.
            reach = [radius_along(m, direction) for m in members]
            distance = (reach[0] + reach[1]) * (1.0 if kind == "touching" else overlap)
            members[1][0], members[1][1] = distance * ux, distance * uy
        elif kind == "cluster":
            start = rng.uniform(0, 2 * np.pi)
            for i, m in enumerate(members):
                direction = start + 2 * np.pi * i / count
                ring = max(mm[2] for mm in members) * (0.8 if count == 3 else 1.05) * rng.uniform(0.95, 1.1)
                m[0], m[1] = ring * np.cos(direction), ring * np.sin(direction)
                m[4] = direction + rng.uniform(-0.3, 0.3)  # long axes radiate from the cluster's centre
        extent = max(np.hypot(m[0], m[1]) + m[2] for m in members) + 4
        cx, cy = rng.uniform(margin + extent, size - margin - extent, 2)
        if any(np.hypot(cx - x, cy - y) < extent + r for x, y, r in discs):
            continue
        discs.append((cx, cy, extent))
        group = len(discs)
        for m in members:
            ellipses.append({"cx": cx + m[0], "cy": cy + m[1], "a": m[2], "b": m[3], "angle": m[4] % np.pi,
                             "group": group, "kind": kind})
    return ellipses


def radius_along(member, direction):
    _, _, a, b, angle = member
    t = direction - angle
    return a * b / np.hypot(b * np.cos(t), a * np.sin(t))


def draw_nuclei(background, ellipses, colours, rng, blur, rim):
    """Composites the nuclei over the background in OD; returns the RGB image and the instance labels."""
    size = background.shape[0]
    premultiplied = np.zeros((size, size, 3))
    coverage = np.zeros((size, size))
    labels = np.zeros((size, size), np.uint16)
    texture = ndimage.gaussian_filter(rng.normal(size=(size, size)), 1.0)
    texture /= texture.std()
    for index, e in enumerate(ellipses, start=1):
        reach = int(np.ceil(e["a"])) + 3
        x0, x1 = max(0, int(e["cx"]) - reach), min(size, int(e["cx"]) + reach + 1)
        y0, y1 = max(0, int(e["cy"]) - reach), min(size, int(e["cy"]) + reach + 1)
        ys, xs = np.mgrid[y0:y1, x0:x1] + 0.5  # pixel centres
        c, s = np.cos(e["angle"]), np.sin(e["angle"])
        u = (xs - e["cx"]) * c + (ys - e["cy"]) * s
        v = -(xs - e["cx"]) * s + (ys - e["cy"]) * c
        r = np.hypot(u / e["a"], v / e["b"])
        alpha = np.clip((1 - r) * e["b"] + 0.5, 0, 1)  # about a pixel of antialiased edge
        inside = r < 1
        labels[y0:y1, x0:x1][inside] = index
        colour = colours[rng.integers(len(colours))]
        e["od"] = [round(float(v), 4) for v in colour]
        shade = 1 + 0.12 * texture[y0:y1, x0:x1] + rim * np.clip((r - 0.65) / 0.35, 0, 1) - 0.08 * (r < 0.5)
        od = colour[None, None, :] * shade[..., None]
        cover = alpha[..., None]
        premultiplied[y0:y1, x0:x1] = premultiplied[y0:y1, x0:x1] * (1 - cover) + od * cover
        coverage[y0:y1, x0:x1] = coverage[y0:y1, x0:x1] * (1 - alpha) + alpha
    if blur > 0:
        premultiplied = ndimage.gaussian_filter(premultiplied, (blur, blur, 0))
        coverage = ndimage.gaussian_filter(coverage, blur)
    od = optical_density(background) * (1 - coverage[..., None]) + premultiplied
    return to_rgb(od), labels


def write_slide(path, rgb, note):
    height, width = rgb.shape[:2]
    description = (f"Aperio Image Library v10.0.50\r\n{width}x{height} [0,0 {width}x{height}] ({TILE}x{TILE}) "
                   f"Deflate|AppMag = 20|MPP = {MPP}|Tessera = {note}")
    levels = [rgb]
    while max(levels[-1].shape[:2]) > TILE:
        level = levels[-1]
        h2, w2 = level.shape[0] // 2, level.shape[1] // 2
        levels.append(level[:2 * h2, :2 * w2].reshape(h2, 2, w2, 2, 3).mean(axis=(1, 3)).round().astype(np.uint8))
    with tifffile.TiffWriter(path) as tiff:
        for i, level in enumerate(levels):
            scale = 2 ** i
            tiff.write(level, tile=(TILE, TILE), compression="zlib", photometric="rgb", metadata=None,
                       description=description if i == 0 else None,
                       resolution=(1e4 / (MPP * scale), 1e4 / (MPP * scale)), resolutionunit="CENTIMETER")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out")
    parser.add_argument("--source", default=os.path.join(os.path.dirname(__file__), "..", "fixtures", "slides",
                                                         "CMU-1-Small-Region.svs"))
    parser.add_argument("--size", type=int, default=1536)
    parser.add_argument("--seed", type=int, default=27)
    parser.add_argument("--shift", type=int, default=96)
    parser.add_argument("--nuclei", type=int, default=480, help="nuclei to draw (about)")
    parser.add_argument("--overlap", type=float, default=0.75,
                        help="overlapping pairs' centre distance over the touching distance")
    parser.add_argument("--blur", type=float, default=0.7, help="the nuclei's Gaussian blur (pixels)")
    parser.add_argument("--rim", type=float, default=0.25, help="the rim's extra OD (fraction)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    source = openslide.OpenSlide(args.source)
    rgb = np.asarray(source.read_region((0, 0), 0, source.dimensions).convert("RGB"))
    cleaned, usable, colours = clean_stroma(rgb, rng)
    background = stroma_canvas(cleaned, usable, args.size, rng)
    ellipses = place_groups(args.size, rng, args.overlap, target=args.nuclei)
    image, labels = draw_nuclei(background, ellipses, colours, rng, args.blur, args.rim)
    ids = np.arange(1, len(ellipses) + 1)
    areas = ndimage.sum(np.ones_like(labels), labels, ids)
    centroids = ndimage.center_of_mass(np.ones_like(labels), labels, ids)
    for e, area, (cy, cx) in zip(ellipses, areas, centroids):
        e["visible_pixels"] = int(area)
        e["x"], e["y"] = float(cx) + 0.5, float(cy) + 0.5
        for key in ("cx", "cy", "a", "b", "angle"):
            e[key] = round(float(e[key]), 4)
    note = f"synthetic nuclei (tools/make_nuclei_slide.py, seed {args.seed}) on stroma of {os.path.basename(args.source)}"
    write_slide(os.path.join(args.out, "slide.tiff"), image, note)
    shifted = np.full((args.size + args.shift, args.size + args.shift, 3), 255, np.uint8)
    shifted[args.shift:, args.shift:] = image
    write_slide(os.path.join(args.out, "slide-shifted.tiff"), shifted, note + f", shifted by {args.shift} px")
    tifffile.imwrite(os.path.join(args.out, "truth.tiff"), labels, compression="zlib")
    with open(os.path.join(args.out, "truth.json"), "w") as f:
        json.dump({"mpp": MPP, "size": args.size, "shift": args.shift, "seed": args.seed,
                   "source": os.path.basename(args.source), "nuclei": ellipses}, f, indent=1)
    kinds = {k: sum(e["kind"] == k for e in ellipses) for k in ("single", "touching", "overlapping", "cluster")}
    print(f"{args.out}: {args.size} x {args.size} at {MPP} µm/px, {len(ellipses)} nuclei "
          f"({', '.join(f'{v} {k}' for k, v in kinds.items())}), shifted copy +{args.shift} px")


if __name__ == "__main__":
    main()
