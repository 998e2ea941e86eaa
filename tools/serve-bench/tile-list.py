#!/usr/bin/env python3
"""Writes N Deep Zoom tile paths ("LEVEL/COLUMN_ROW.jpeg"), drawn uniformly from every tile of every level of
SLIDE's pyramid (tile 254, overlap 1: what both servers use), for tools/serve-bench/random-tiles.lua.
Usage: tile-list.py SLIDE N OUT"""
import random
import sys

import openslide
from openslide.deepzoom import DeepZoomGenerator

slide, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
generator = DeepZoomGenerator(openslide.OpenSlide(slide), tile_size=254, overlap=1, limit_bounds=True)
tiles = [(level, column, row) for level, (columns, rows) in enumerate(generator.level_tiles)
         for column in range(columns) for row in range(rows)]
rng = random.Random(42)
with open(out, "w") as file:
    for _ in range(count):
        level, column, row = rng.choice(tiles)
        file.write("%d/%d_%d.jpeg\n" % (level, column, row))
print("%d tiles in %d levels; %d requests listed" % (len(tiles), generator.level_count, count))
