"""Reference pixel values for Tests/TesseraSlideTests, read independently with openslide-python.

Run: tools/.venv/bin/python tools/reference/slide_pixels.py   (requirements: tools/bench/requirements.txt)
openslide-python returns un-premultiplied RGBA; the values printed are composited onto white
(out = c * a / 255 + 255 * (1 - a / 255), rounded), which is what Tessera returns.
"""
import hashlib

import numpy as np
import openslide


def rgb_on_white(region):
    rgba = np.asarray(region).astype(np.float64)
    alpha = rgba[..., 3:4] / 255.0
    return np.rint(rgba[..., :3] * alpha + 255.0 * (1.0 - alpha)).astype(np.uint8)


def fnv1a64(data):
    """FNV-1a, 64-bit: a checksum Swift tests can compute without a crypto library."""
    value = 0xCBF29CE484222325
    for byte in data:
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value


def show(name, slide, location, level, size, samples):
    rgb = rgb_on_white(slide.read_region(location, level, size))
    print(f"{name}: location={location} level={level} size={size}")
    print("  sha256", hashlib.sha256(rgb.tobytes()).hexdigest())
    if rgb.size <= 100_000:
        print(f"  fnv1a64 0x{fnv1a64(rgb.tobytes()):016X}")
    print("  channel sums", rgb.reshape(-1, 3).astype(np.int64).sum(0).tolist())
    for x, y in samples:
        print(f"  pixel ({x}, {y})", rgb[y, x].tolist())


cmu = openslide.OpenSlide("fixtures/slides/CMU-1-Small-Region.svs")
show("CMU-1-Small-Region", cmu, (1000, 1200), 0, (64, 64), [(0, 0), (10, 20), (63, 63), (31, 5)])
show("CMU-1-Small-Region whole", cmu, (0, 0), 0, cmu.dimensions, [(0, 0), (2219, 2966)])
boxes = openslide.OpenSlide("fixtures/slides/boxes.tiff")
# Beyond the right and bottom edges: transparent in OpenSlide, white in Tessera.
show("boxes level 1 over the edge", boxes, (200, 150), 1, (64, 64), [(0, 0), (49, 49), (50, 0), (0, 50), (63, 63)])
show("boxes level 2", boxes, (0, 0), 2, (75, 62), [(0, 0), (40, 30), (74, 61)])
# OpenSlide 3.4.1 returns different bytes for rows 0-1 of boxes.tiff's level 2 on every open (uninitialised
# memory in its edge handling): only rows 2-61 are reproducible.
level2 = rgb_on_white(boxes.read_region((0, 0), 2, (75, 62)))[2:]
print(f"boxes level 2 rows 2-61 fnv1a64 0x{fnv1a64(level2.tobytes()):016X}")
thumb = cmu.associated_images["thumbnail"].convert("RGBA")
print("thumbnail size", thumb.size, "sha256", hashlib.sha256(rgb_on_white(thumb).tobytes()).hexdigest())
label = cmu.associated_images["label"].convert("RGBA")
print("label size", label.size, "sha256", hashlib.sha256(rgb_on_white(label).tobytes()).hexdigest())
