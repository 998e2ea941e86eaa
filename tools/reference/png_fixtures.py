"""Prints the Pillow-written PNGs embedded in Tests/TesseraSlideTests/PNGTests.swift (an independent encoder).

Run: tools/.venv/bin/python tools/reference/png_fixtures.py
"""
import base64
import io

import numpy as np
from PIL import Image

rng = np.random.default_rng(3)
base = (np.arange(6 * 5 * 3).reshape(5, 6, 3) * 7 % 256).astype(np.uint8)
base[2] = rng.integers(0, 256, (6, 3))
rgba = np.concatenate([base, np.full((5, 6, 1), 128, np.uint8)], 2)
for mode, array in [("RGB", base), ("RGBA", rgba), ("L", base[..., 0].copy())]:
    buffer = io.BytesIO()
    Image.fromarray(array, mode).save(buffer, "PNG", optimize=True)
    print(mode, base64.b64encode(buffer.getvalue()).decode())
print("RGB bytes", base.flatten().tolist())
