"""Makes fixtures/slides/CMU-1-crop-ycbcr.tiff: a small generic tiled TIFF with YCbCr JPEG tiles (4:2:0), for the
direct JPEG tile reader's tests (Tests/TesseraSlideTests/DirectTileReadTests.swift). CMU-1-Small-Region.svs
stores RGB JPEG tiles (Aperio's "JPEG/RGB"); most other JPEG TIFFs (libvips, bfconvert, scanners' exports) store
YCbCr with subsampled chroma, which the decoder converts and upsamples, so both kinds are covered.

A 700 x 450 crop of the CMU tissue, 128 px tiles (the edge tiles are partial), JPEG Q 85, two levels, no
resolution or vendor description: OpenSlide 3.4.1 reads it as generic-tiff.

    tools/.venv/bin/python tools/make_jpeg_tiff_fixture.py   # needs pyvips (tools/requirements-large-slide.txt)
"""
import pyvips

SOURCE = "fixtures/slides/CMU-1-Small-Region.svs"
OUTPUT = "fixtures/slides/CMU-1-crop-ycbcr.tiff"


def main():
    tissue = pyvips.Image.new_from_file(SOURCE).flatten(background=[255, 255, 255]).cast("uchar")
    crop = tissue.crop(600, 1100, 700, 450)
    crop.tiffsave(OUTPUT, tile=True, tile_width=128, tile_height=128, pyramid=True, compression="jpeg", Q=85,
                  strip=True)
    print(OUTPUT)


if __name__ == "__main__":
    main()
