#!/usr/bin/env python3
"""Renders a PNG of a slide region with the nuclei a Tessera run stored drawn over it (the README's picture).

  tools/render_nuclei_preview.py SLIDE RESULTS.sqlite OUT.png --region X Y W H [--scale 2]

Reads the region at level 0 with openslide-python and each nucleus of the latest slide run of SLIDE whose centroid
lies in it from the results file's `nuclei` table (outline: little-endian int16 pairs, 1/16 level-0 pixel offsets from
the rounded centroid), drawn in bright green. Needs tools/requirements-nuclei.txt.
"""
import argparse
import sqlite3
import struct

import openslide
from PIL import Image, ImageDraw


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("slide")
    parser.add_argument("results")
    parser.add_argument("out")
    parser.add_argument("--region", type=int, nargs=4, metavar=("X", "Y", "W", "H"), required=True)
    parser.add_argument("--scale", type=int, default=2)
    args = parser.parse_args()
    x0, y0, w, h = args.region
    image = openslide.OpenSlide(args.slide).read_region((x0, y0), 0, (w, h)).convert("RGB")
    image = image.resize((w * args.scale, h * args.scale), Image.LANCZOS)
    draw = ImageDraw.Draw(image)
    db = sqlite3.connect("file:%s?mode=ro" % args.results, uri=True)
    slide_run = db.execute("SELECT MAX(id) FROM slide_runs WHERE slide_path LIKE ?", ("%" + args.slide.split("/")[-1],)).fetchone()[0]
    count = 0
    for x, y, region, outline in db.execute(
            "SELECT x, y, region_class_index, outline FROM nuclei WHERE slide_run_id = ? AND x >= ? AND x < ? AND y >= ? AND y < ?",
            (slide_run, x0, x0 + w, y0, y0 + h)):
        values = struct.unpack("<%dh" % (len(outline) // 2), outline)
        points = [((round(x) + values[i] / 16 - x0) * args.scale, (round(y) + values[i + 1] / 16 - y0) * args.scale)
                  for i in range(0, len(values), 2)]
        # Bright green over the stroma's pinks and the nuclei's purples; cyan for nuclei outside any tissue class.
        draw.line(points + [points[0]], fill="#39ff14" if region is not None else "#00e5ff", width=2)
        count += 1
    image.save(args.out)
    print("%s: %d nuclei over %dx%d level-0 pixels at (%d, %d)" % (args.out, count, w, h, x0, y0))


if __name__ == "__main__":
    main()
