#!/usr/bin/env python3
"""Makes fixtures/slides/bounds-leica.scn: a small Leica SCN whose main image sits inside its collection, so that
OpenSlide (3.4.1's leica vendor, `set_region_bounds_props`) states openslide.bounds-x/-y/-width/-height.

The main image is a 512 x 384 crop of CMU-1-Small-Region.svs (CC0, see fixtures/slides/PROVENANCE.md) from level-0
(800, 1200), at 0.5 µm/px, placed at (128, 96) level-0 pixels in a 1024 x 768 collection: OpenSlide reads a
1024 x 768 slide, transparent outside the main image, with bounds (128, 96, 512, 384). One tiled (256 x 256), deflate,
RGB IFD with the SCN XML as its ImageDescription; no macro image (one brightfield main image: OpenSlide's legacy
quickhash of its smallest dimension).

usage: make_leica_bounds_slide.py CMU-1-Small-Region.svs OUT.scn   (needs vips on PATH and tifffile, numpy)
"""
import os
import subprocess
import sys
import tempfile

import numpy
import tifffile

NM_PER_PIXEL = 500
WIDTH, HEIGHT = 512, 384
OFFSET_X, OFFSET_Y = 128, 96
COLLECTION_W, COLLECTION_H = 1024, 768
CROP_X, CROP_Y = 800, 1200

XML = f"""<?xml version="1.0" encoding="utf-8"?>
<scn xmlns="http://www.leica-microsystems.com/scn/2010/10/01">
  <collection name="tessera-bounds" uuid="6d1f3c1e-0000-4000-8000-000000000001" sizeX="{COLLECTION_W * NM_PER_PIXEL}" sizeY="{COLLECTION_H * NM_PER_PIXEL}">
    <barcode>dGVzc2VyYQ==</barcode>
    <image name="main" uuid="6d1f3c1e-0000-4000-8000-000000000002">
      <creationDate>2026-12-07T00:00:00.00Z</creationDate>
      <device model="Leica SCN400;Leica SCN" version="1.5.1.10804 2012/05/10 13:29:07;1.5.1.10864"/>
      <pixels sizeX="{WIDTH}" sizeY="{HEIGHT}">
        <dimension sizeX="{WIDTH}" sizeY="{HEIGHT}" r="0" ifd="0"/>
      </pixels>
      <view sizeX="{WIDTH * NM_PER_PIXEL}" sizeY="{HEIGHT * NM_PER_PIXEL}" offsetX="{OFFSET_X * NM_PER_PIXEL}" offsetY="{OFFSET_Y * NM_PER_PIXEL}" spacingZ="0"/>
      <scanSettings>
        <objectiveSettings><objective>20</objective></objectiveSettings>
        <illuminationSettings><numericalAperture>0.7</numericalAperture><illuminationSource>brightfield</illuminationSource></illuminationSettings>
      </scanSettings>
    </image>
  </collection>
</scn>
"""


def main():
    source, out = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as work:
        raw = os.path.join(work, "crop.raw")
        subprocess.run(["vips", "extract_area", source, os.path.join(work, "crop.v"),
                        str(CROP_X), str(CROP_Y), str(WIDTH), str(HEIGHT)], check=True)
        subprocess.run(["vips", "extract_band", os.path.join(work, "crop.v"), os.path.join(work, "rgb.v"), "0", "--n", "3"],
                       check=True)
        subprocess.run(["vips", "rawsave", os.path.join(work, "rgb.v"), raw], check=True)
        pixels = numpy.fromfile(raw, dtype=numpy.uint8).reshape(HEIGHT, WIDTH, 3)
    resolution = 1e7 / NM_PER_PIXEL  # pixels per centimetre
    tifffile.imwrite(out, pixels, photometric="rgb", tile=(256, 256), compression="zlib", description=XML,
                     metadata=None, resolution=(resolution, resolution), resolutionunit="CENTIMETER")


if __name__ == "__main__":
    main()
