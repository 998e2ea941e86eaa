"""Expected outputs of stain normalisation from torchstain (the reference implementation), for Tessera's tests.

Writes fixtures/stain/reference.safetensors and fixtures/stain/reference.json:
- `target.rgb`: a 256 x 256 tile of CMU-1-Small-Region.svs (training region), the target the sources are
  normalised to;
- `<case>.rgb`: source tiles, 256 x 256, from the held-out band (y >= 2225) re-stained in HED space (tools/train/hed.py)
  as another lab's slide might look, and one unaltered;
- `<case>.tissue`: uint8 mask (1 = tissue: optical density >= 0.15 in every channel, Macenko's rule);
- `<case>.reinhard`, `<case>.macenko`: N x 3 uint8, the tissue pixels (row-major order) as torchstain normalises
  them, statistics estimated from the tissue pixels alone: torchstain's normalisers are given the tissue pixels
  as a 1 x N image, so their per-image statistics are exactly tissue statistics.
reference.json holds the target and source statistics torchstain estimated, the cases and the versions.

Run: tools/.venv/bin/python tools/stain/make_reference.py   (needs torchstain, openslide-python, scikit-image)
"""

from __future__ import annotations

import json
import sys
from importlib import metadata as package_metadata
from pathlib import Path

import numpy as np
import openslide
import torch
from safetensors.torch import save_file
from torchstain.numpy.normalizers import NumpyMacenkoNormalizer, NumpyReinhardNormalizer

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools" / "train"))
import hed  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stainnorm  # noqa: E402

SLIDE = REPO / "fixtures" / "slides" / "CMU-1-Small-Region.svs"
OUT = REPO / "fixtures" / "stain"
TARGET = (1100, 1400)
# (name, x, y, H/E/DAB scales, H/E/DAB biases)
CASES = [
    ("unaltered", 900, 2420, [1, 1, 1], [0, 0, 0]),
    ("pink", 1200, 2500, [0.7, 1.35, 1], [-0.02, 0.04, 0]),
    ("dark", 600, 2300, [1.4, 0.8, 1], [0.05, -0.03, 0]),
]
SIZE = 256


def tissue_mask(rgb: np.ndarray) -> np.ndarray:
    od = -np.log((rgb.astype(np.float64) + 1) / 240)
    return np.all(od >= 0.15, axis=-1)


def main() -> None:
    slide = openslide.OpenSlide(str(SLIDE))

    def read(x: int, y: int) -> np.ndarray:
        return np.asarray(slide.read_region((x, y), 0, (SIZE, SIZE)).convert("RGB"))

    target = read(*TARGET)
    target_tissue = target[tissue_mask(target)][None]
    reinhard = NumpyReinhardNormalizer()
    reinhard.fit(target_tissue)
    macenko = NumpyMacenkoNormalizer()
    macenko.fit(target_tissue)
    tensors = {"target.rgb": torch.from_numpy(np.ascontiguousarray(target))}
    record = {
        "how": __doc__,
        "slide": "fixtures/slides/CMU-1-Small-Region.svs level 0",
        "target": {"x": TARGET[0], "y": TARGET[1], "size": SIZE,
                   "reinhard": {"lab_mean": reinhard.target_means.tolist(), "lab_std": reinhard.target_stds.tolist()},
                   "macenko": {"stain_matrix": macenko.HERef.T.tolist(), "max_concentrations": macenko.maxCRef.tolist()}},
        "parameters": {"macenko": "Io 240, alpha 1, beta 0.15 (torchstain defaults)", "reinhard": "torchstain method=None"},
        "cases": [],
        "versions": {name: package_metadata.version(name) for name in ["torchstain", "numpy", "scikit-image", "openslide-python"]},
    }
    for name, x, y, scales, biases in CASES:
        rgb = hed.restain_uint8(read(x, y), scales, biases)
        mask = tissue_mask(rgb)
        tissue = rgb[mask][None]
        tensors[f"{name}.rgb"] = torch.from_numpy(np.ascontiguousarray(rgb))
        tensors[f"{name}.tissue"] = torch.from_numpy(mask.astype(np.uint8))
        tensors[f"{name}.reinhard"] = torch.from_numpy(np.ascontiguousarray(reinhard.normalize(tissue)[0]))
        normalised, _, _ = macenko.normalize(tissue, stains=False)
        tensors[f"{name}.macenko"] = torch.from_numpy(np.ascontiguousarray(normalised[0]))
        source = NumpyMacenkoNormalizer()
        source.fit(tissue)
        source_lab = NumpyReinhardNormalizer()
        source_lab.fit(tissue)
        # tools/stain/stainnorm.py (used by restain_eval.py) must agree with torchstain too (it rounds where
        # torchstain truncates: at most 1 grey level apart).
        for method, normaliser in (("reinhard", reinhard), ("macenko", macenko)):
            ours_target = stainnorm.estimate(method, target_tissue[0])
            ours = stainnorm.transform(method, rgb, stainnorm.estimate(method, tissue[0]), ours_target)[mask]
            worst = int(np.abs(ours.astype(int) - tensors[f"{name}.{method}"].numpy().astype(int)).max())
            assert worst <= 1, f"stainnorm.py {method} {name}: {worst} grey levels from torchstain"
        record["cases"].append({
            "name": name, "x": x, "y": y, "size": SIZE, "hed_scales": scales, "hed_biases": biases,
            "tissue_pixels": int(mask.sum()),
            "reinhard": {"lab_mean": source_lab.target_means.tolist(), "lab_std": source_lab.target_stds.tolist()},
            "macenko": {"stain_matrix": source.HERef.T.tolist(), "max_concentrations": source.maxCRef.tolist()},
        })
    OUT.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(OUT / "reference.safetensors"), metadata={"record": json.dumps(record)})
    (OUT / "reference.json").write_text(json.dumps(record, indent=1) + "\n")
    print(json.dumps({k: v for k, v in record.items() if k != "how"}, indent=1))


if __name__ == "__main__":
    main()
