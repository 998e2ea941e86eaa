"""HED-space stain jitter (Tellez et al. 2019, "Quantifying the effects of data augmentation and stain color
normalization in convolutional neural networks for computational pathology", Medical Image Analysis 58).

Each stain's concentration from colour deconvolution (skimage `rgb2hed`, Ruifrok-Johnston vectors; units are
skimage's: optical density divided by ln(1e6), about 0 to 0.3 on H&E) becomes `alpha * c + beta`, with one
alpha and beta per stain per image; the image is then recomposed (`hed2rgb`). The training script uses it as
augmentation and tools/stain/restain_eval.py uses it with the measured variation of real labs (scales 0.6-1.4,
biases +-0.05) to make re-stained test tiles.
"""

from __future__ import annotations

import numpy as np
from skimage.color import hed2rgb, rgb2hed


def restain(rgb: np.ndarray, scales, biases) -> np.ndarray:
    """uint8 or float [0, 1] HxWx3 RGB -> float [0, 1] RGB with each stain's concentration scaled and shifted.

    scales, biases: three numbers each (H, E, DAB)."""
    image = rgb.astype(np.float64) / 255.0 if rgb.dtype == np.uint8 else rgb.astype(np.float64)
    hed = rgb2hed(image)
    hed = hed * np.asarray(scales, np.float64) + np.asarray(biases, np.float64)
    return np.clip(hed2rgb(hed), 0.0, 1.0)


def restain_uint8(rgb: np.ndarray, scales, biases) -> np.ndarray:
    return np.clip(np.round(restain(rgb, scales, biases) * 255.0), 0, 255).astype(np.uint8)


def random_jitter(rng: np.random.Generator, scale: float, bias: float) -> tuple[list[float], list[float]]:
    """alpha ~ U(1 - scale, 1 + scale), beta ~ U(-bias, bias) for H and E; DAB (absent from H&E) unchanged."""
    alphas = [float(rng.uniform(1 - scale, 1 + scale)) for _ in range(2)] + [1.0]
    betas = [float(rng.uniform(-bias, bias)) for _ in range(2)] + [0.0]
    return alphas, betas
