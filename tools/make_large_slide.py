"""Builds a large synthetic pyramidal slide from the tissue in fixtures/slides/CMU-1-Small-Region.svs.

Tiled (256 px), JPEG-compressed, pyramidal TIFF; copies of the tissue (mirrored in turn, so neighbours differ)
on a white background with white gaps between them. The first directory carries an Aperio-style ImageDescription
(`Aperio Image Library ...|AppMag = 20|MPP = 0.5`), which is how OpenSlide 3.4.1 learns the resolution: its
generic-tiff driver ignores TIFF resolution tags. OpenSlide then reports vendor "aperio", openslide.mpp-x = 0.5.

Usage: tools/make-large-slide.sh [OUTPUT [WIDTH HEIGHT]]   (default out/synthetic-50000x40000.large.tiff)
The output is git-ignored (*.large.tiff, /out/): never commit it.
"""
import sys

import pyvips

SOURCE = "fixtures/slides/CMU-1-Small-Region.svs"
GAP = 800  # white level-0 pixels between tissue copies
MPP = 0.5


def main():
    output = sys.argv[1] if len(sys.argv) > 1 else "out/synthetic-50000x40000.large.tiff"
    width = int(sys.argv[2]) if len(sys.argv) > 2 else 50_000
    height = int(sys.argv[3]) if len(sys.argv) > 3 else 40_000

    tissue = pyvips.Image.new_from_file(SOURCE, access="sequential")
    # OpenSlide gives RGBA with alpha 255 everywhere in this slide; flatten onto white all the same.
    tissue = tissue.flatten(background=[255, 255, 255]).cast("uchar")
    variants = [tissue, tissue.fliphor(), tissue.flipver(), tissue.rot180()]
    cell_width, cell_height = tissue.width + GAP, tissue.height + GAP
    across = max(1, (width - GAP) // cell_width)
    down = max(1, (height - GAP) // cell_height)
    copies = [variants[(row + column) % len(variants)] for row in range(down) for column in range(across)]
    mosaic = pyvips.Image.arrayjoin(copies, across=across, shim=GAP, background=[255, 255, 255])
    left = (width - mosaic.width) // 2
    top = (height - mosaic.height) // 2
    slide = mosaic.embed(left, top, width, height, extend="background", background=[255, 255, 255])
    slide = slide.copy(xres=1000 / MPP, yres=1000 / MPP)  # pixels per mm, for viewers that read the tags
    description = (f"Aperio Image Library v10.0.50\r\n{width}x{height} [0,0 {width}x{height}] (256x256) JPEG/RGB Q=85"
                   f"|AppMag = 20|MPP = {MPP}|Tessera = synthetic mosaic of CMU-1-Small-Region.svs")
    slide.set_type(pyvips.GValue.gstr_type, "image-description", description)
    slide.tiffsave(output, tile=True, tile_width=256, tile_height=256, pyramid=True, compression="jpeg", Q=85,
                   bigtiff=True, resunit="cm")
    print(f"{output}: {width} x {height}, {across} x {down} tissue copies, {MPP} µm/px")


if __name__ == "__main__":
    main()
