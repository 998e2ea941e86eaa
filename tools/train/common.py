"""What train.py and export.py share: the slide, the split, the model, normalisation."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import openslide
import segmentation_models_pytorch as smp
import torch

import labels as stain_labels

REPO = Path(__file__).resolve().parents[2]
SLIDE = REPO / "fixtures" / "slides" / "CMU-1-Small-Region.svs"
WORK = Path(__file__).resolve().parent / "work"

# The slide is 2220 x 2967 px (w x h) at 0.499 um/px; level 0 is used as 0.5 um/px without resampling.
# Held out: the bottom 25% of the rows (y >= HELD_OUT_FROM_ROW), which hold tissue (about half the area).
# Training crops lie entirely above that row, so no held-out pixel is ever seen in training.
HELD_OUT_FRACTION = 0.25
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def read_slide() -> np.ndarray:
    slide = openslide.OpenSlide(str(SLIDE))
    width, height = slide.dimensions
    rgba = slide.read_region((0, 0), 0, (width, height))
    return np.asarray(rgba.convert("RGB"))


def held_out_from_row(height: int) -> int:
    return int(round(height * (1 - HELD_OUT_FRACTION)))


def slide_and_labels() -> tuple[np.ndarray, np.ndarray]:
    """The whole slide (HxWx3 uint8) and its derived labels, cached in WORK keyed by the slide's bytes."""
    WORK.mkdir(parents=True, exist_ok=True)
    rgb = read_slide()
    key = hashlib.sha256(rgb.tobytes()).hexdigest()[:16]
    cache = WORK / f"labels-{key}.npy"
    if cache.exists():
        return rgb, np.load(cache)
    derived = stain_labels.derive_labels(rgb)
    np.save(cache, derived)
    return rgb, derived


def build_model() -> torch.nn.Module:
    return smp.DeepLabV3Plus(encoder_name="efficientnet-b2", encoder_weights=None, classes=len(stain_labels.CLASS_NAMES))


def normalise(rgb_nhwc: torch.Tensor) -> torch.Tensor:
    """uint8 NHWC RGB -> float32 NCHW, x = (rgb / 255 - mean) / std."""
    x = rgb_nhwc.permute(0, 3, 1, 2).float() / 255.0
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    return (x - mean) / std


@torch.no_grad()
def predict_logits(model: torch.nn.Module, rgb: np.ndarray, tile: int, overlap: int) -> np.ndarray:
    """Logits (C x H x W float32) for a whole image, tiled with `overlap` px shared by neighbours: each tile keeps
    its centre (half the overlap trimmed on inner sides). The image is padded by reflection to whole tiles."""
    model.eval()
    height, width, _ = rgb.shape
    step = tile - overlap
    margin = overlap // 2
    rows = max(1, int(np.ceil((height - overlap) / step)))
    cols = max(1, int(np.ceil((width - overlap) / step)))
    padded_h = rows * step + overlap
    padded_w = cols * step + overlap
    padded = np.pad(rgb, ((0, padded_h - height), (0, padded_w - width), (0, 0)), mode="reflect")
    classes = len(stain_labels.CLASS_NAMES)
    out = np.zeros((classes, padded_h, padded_w), np.float32)
    for r in range(rows):
        for c in range(cols):
            y, x = r * step, c * step
            window = torch.from_numpy(np.ascontiguousarray(padded[y:y + tile, x:x + tile]))[None]
            logits = model(normalise(window))[0].numpy()
            top = 0 if r == 0 else margin
            left = 0 if c == 0 else margin
            out[:, y + top:y + tile, x + left:x + tile] = logits[:, top:, left:]
    return out[:, :height, :width]


def per_class_iou(prediction: np.ndarray, target: np.ndarray) -> dict[str, float]:
    result = {}
    for index, name in enumerate(stain_labels.CLASS_NAMES):
        p, t = prediction == index, target == index
        union = np.logical_or(p, t).sum()
        result[name] = float(np.logical_and(p, t).sum() / union) if union else float("nan")
    return result
