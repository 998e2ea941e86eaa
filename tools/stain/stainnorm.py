"""Reinhard and Macenko in numpy with statistics estimated once and applied to any image: the same arithmetic
as Tessera's TesseraStain (Sources/TesseraStain) and torchstain 1.4.1 (make_reference.py checks this module against
torchstain), split into estimate() and transform() so a slide's statistics can come from a sample of its tissue.

Statistics are dicts in the form of a model's `stain_reference` entries:
  reinhard: {"lab_mean": [L, a, b], "lab_std": [L, a, b]}  (CIELAB D65, L 0-100, over tissue pixels)
  macenko:  {"stain_matrix": [[hR, hG, hB], [eR, eG, eB]], "max_concentrations": [h, e]}
"""

from __future__ import annotations

import numpy as np

IO = 240.0
BETA = 0.15
ALPHA = 1.0
RGB2XYZ = np.array([[0.412453, 0.357580, 0.180423], [0.212671, 0.715160, 0.072169], [0.019334, 0.119193, 0.950227]])
XYZ2RGB = np.linalg.inv(RGB2XYZ)
WHITE = np.array([0.95047, 1.0, 1.08883])


def tissue_pixels(rgb: np.ndarray) -> np.ndarray:
    """N x 3 uint8: pixels whose optical density is >= 0.15 in every channel."""
    flat = rgb.reshape(-1, 3)
    od = -np.log((flat.astype(np.float64) + 1) / IO)
    return flat[np.all(od >= BETA, axis=1)]


def rgb2lab(rgb: np.ndarray) -> np.ndarray:
    v = rgb.astype(np.float64) / 255
    lin = np.where(v > 0.04045, ((v + 0.055) / 1.055) ** 2.4, v / 12.92)
    xyz = lin @ RGB2XYZ.T / WHITE
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


def lab2rgb(lab: np.ndarray) -> np.ndarray:
    y = (lab[..., 0] + 16) / 116
    t = np.stack([lab[..., 1] / 500 + y, y, y - lab[..., 2] / 200], -1)
    xyz = np.where(t > 0.2068966, t ** 3, (t - 16 / 116) / 7.787) * WHITE
    lin = xyz @ XYZ2RGB.T
    encoded = np.where(lin > 0.0031308, 1.055 * np.abs(lin) ** (1 / 2.4) - 0.055, lin * 12.92)
    return np.clip(encoded, 0, 1)


def estimate(method: str, tissue: np.ndarray) -> dict:
    """Statistics of `method` from N x 3 uint8 tissue pixels."""
    if method == "reinhard":
        lab = rgb2lab(tissue)
        return {"lab_mean": lab.mean(0).tolist(), "lab_std": lab.std(0).tolist()}
    od = -np.log((tissue.astype(np.float64) + 1) / IO)
    _, vectors = np.linalg.eigh(np.cov(od.T))
    plane = vectors[:, 1:3]
    projected = od @ plane
    phi = np.arctan2(projected[:, 1], projected[:, 0])
    lo, hi = np.percentile(phi, ALPHA), np.percentile(phi, 100 - ALPHA)
    v_min = plane @ np.array([np.cos(lo), np.sin(lo)])
    v_max = plane @ np.array([np.cos(hi), np.sin(hi)])
    h, e = (v_min, v_max) if v_min[0] > v_max[0] else (v_max, v_min)
    h = h if h.sum() >= 0 else -h
    e = e if e.sum() >= 0 else -e
    concentrations = np.linalg.lstsq(np.stack([h, e], 1), od.T, rcond=None)[0]
    return {"stain_matrix": [h.tolist(), e.tolist()],
            "max_concentrations": np.percentile(concentrations, 99, axis=1).tolist()}


def transform(method: str, rgb: np.ndarray, source: dict, target: dict) -> np.ndarray:
    """HxWx3 uint8 normalised from `source` statistics to `target`'s (rounded, as Tessera rounds)."""
    if method == "reinhard":
        lab = rgb2lab(rgb)
        lab = (lab - np.array(source["lab_mean"])) / np.array(source["lab_std"]) * np.array(target["lab_std"]) + np.array(target["lab_mean"])
        return np.round(lab2rgb(lab) * 255).astype(np.uint8)
    od = -np.log((rgb.reshape(-1, 3).astype(np.float64) + 1) / IO)
    he_source = np.array(source["stain_matrix"]).T
    he_target = np.array(target["stain_matrix"]).T
    c = np.linalg.lstsq(he_source, od.T, rcond=None)[0]
    c *= (np.array(target["max_concentrations"]) / np.array(source["max_concentrations"]))[:, None]
    out = IO * np.exp(-he_target @ c)
    return np.round(np.clip(out, 0, 255)).T.reshape(rgb.shape).astype(np.uint8)
