"""Does the model hold up on other labs' stain? Held-out CMU tissue re-stained with the measured variation of real
labs (HED scales 0.6-1.4, biases +-0.05; tools/train/hed.py), predicted without normalisation, with Reinhard and
with Macenko (per-slide statistics: estimated once from the re-stained region's tissue, then applied to every
tile), and scored by nuclei IoU against the derived labels of the UNALTERED region.

The region: the held-out band of CMU-1-Small-Region.svs (rows y >= 2225, never seen in training), columns
x in [COLUMNS), predicted in 256 px tiles overlapping by 64 px (tools/train/common.predict_logits).
The target: the model's `stain_reference` (tools/train/work/stain_reference.json when given, else the model's
metadata), as `tessera model stain-reference` computed it.

Writes a Markdown table to stdout and the figures to tools/stain/work/restain-eval-<model>.json, and with
--picture docs/stain-normalisation.png a before/after picture of one re-stained tile.

Run: tools/.venv/bin/python tools/stain/restain_eval.py --model Sources/TesseraPipeline/Resources/default.safetensors
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools" / "train"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import hed  # noqa: E402
import stainnorm  # noqa: E402

WORK = Path(__file__).resolve().parent / "work"
# The part of the held-out band evaluated: 1024 columns holding most of its tissue (20 tiles per prediction, so a
# run of 8 conditions x 3 variants fits a shared 2-core machine).
COLUMNS = (300, 1324)

# Fixed conditions: the four corners of the scale range, then seeded random draws over the whole range.
CORNERS = [([0.6, 0.6], [0.0, 0.0]), ([1.4, 1.4], [0.0, 0.0]), ([0.6, 1.4], [-0.05, 0.05]), ([1.4, 0.6], [0.05, -0.05])]


def conditions(count: int, seed: int = 2019) -> list[tuple[list[float], list[float]]]:
    rng = np.random.default_rng(seed)
    out = list(CORNERS)
    while len(out) < count:
        out.append(([float(round(rng.uniform(0.6, 1.4), 2)) for _ in range(2)],
                    [float(round(rng.uniform(-0.05, 0.05), 3)) for _ in range(2)]))
    return out


def load_model(path: Path) -> tuple[torch.nn.Module, dict]:
    model = common.build_model()
    state = {k: v.float() for k, v in load_file(str(path)).items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing), (missing, unexpected)
    model.eval()
    with safe_open(str(path), "pt") as f:
        meta = f.metadata() or {}
    return model, meta


def nuclei_iou(prediction: np.ndarray, target: np.ndarray) -> float:
    return common.per_class_iou(prediction, target)["nuclei"]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, required=True)
    p.add_argument("--reference", type=Path, help="stain_reference JSON (default: the model's metadata)")
    p.add_argument("--conditions", type=int, default=8)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--picture", type=Path)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    model, meta = load_model(args.model)
    reference = json.loads(args.reference.read_text() if args.reference else meta["stain_reference"])

    rgb, labels = common.slide_and_labels()
    row = common.held_out_from_row(rgb.shape[0])
    region, truth = rgb[row:, COLUMNS[0]:COLUMNS[1]], labels[row:, COLUMNS[0]:COLUMNS[1]]

    def predict(image: np.ndarray) -> np.ndarray:
        return common.predict_logits(model, image, 256, 64).argmax(0)

    def normalise(image: np.ndarray, method: str) -> tuple[np.ndarray, dict]:
        source = stainnorm.estimate(method, stainnorm.tissue_pixels(image[::2, ::2]))
        return stainnorm.transform(method, image, source, reference[method]), source

    rows = []
    baseline = {"none": nuclei_iou(predict(region), truth)}
    for method in ("reinhard", "macenko"):
        baseline[method] = nuclei_iou(predict(normalise(region, method)[0]), truth)
    print("unaltered", json.dumps(baseline), flush=True)
    for scales, biases in conditions(args.conditions):
        restained = hed.restain_uint8(region, scales + [1.0], biases + [0.0])
        result = {"hed_scales": scales, "hed_biases": biases, "none": nuclei_iou(predict(restained), truth)}
        for method in ("reinhard", "macenko"):
            result[method] = nuclei_iou(predict(normalise(restained, method)[0]), truth)
        rows.append(result)
        print(json.dumps(result), flush=True)

    def within(method: str) -> int:
        return sum(abs(r[method] - baseline[method]) <= 0.1 for r in rows)

    lines = ["| H scale | E scale | H bias | E bias | nuclei IoU, no normalisation | Reinhard | Macenko |",
             "|---|---|---|---|---|---|---|",
             f"| 1 | 1 | 0 | 0 (unaltered) | {baseline['none']:.3f} | {baseline['reinhard']:.3f} | {baseline['macenko']:.3f} |"]
    for r in rows:
        lines.append(f"| {r['hed_scales'][0]} | {r['hed_scales'][1]} | {r['hed_biases'][0]} | {r['hed_biases'][1]} | "
                     f"{r['none']:.3f} | {r['reinhard']:.3f} | {r['macenko']:.3f} |")
    lines.append(f"| within 0.1 of unaltered | | | | {within('none')}/{len(rows)} | {within('reinhard')}/{len(rows)} | "
                 f"{within('macenko')}/{len(rows)} |")
    table = "\n".join(lines)
    print(table)
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / f"restain-eval-{args.model.stem}.json").write_text(json.dumps(
        {"model": str(args.model), "reference": reference, "baseline": baseline, "rows": rows, "table": table}, indent=1))

    if args.picture:
        from PIL import Image, ImageDraw
        x, y, size = 600, 2420 - row, 384
        scales, biases = [0.7, 1.35], [-0.02, 0.04]
        tile = region[y:y + size, x:x + size]
        pink = hed.restain_uint8(tile, scales + [1.0], biases + [0.0])
        restained_region = hed.restain_uint8(region, scales + [1.0], biases + [0.0])
        fixed = normalise(restained_region, "macenko")[0][y:y + size, x:x + size]
        palette = np.array([[255, 255, 255], [0x3B, 0x4C, 0xC0], [0xF0, 0x8C, 0xB4]], np.uint8)
        pred_pink = palette[predict(restained_region)[y:y + size, x:x + size]]
        pred_fixed = palette[predict(normalise(restained_region, "macenko")[0])[y:y + size, x:x + size]]
        panels = [tile, pink, fixed, pred_pink, pred_fixed]
        titles = ["CMU held-out tile", "re-stained (H x0.7, E x1.35)", "after Macenko to the model's reference",
                  "prediction, re-stained", "prediction, normalised"]
        gap = 6
        canvas = Image.new("RGB", (len(panels) * (size + gap) - gap, size + 16), "white")
        draw = ImageDraw.Draw(canvas)
        for i, (panel, title) in enumerate(zip(panels, titles)):
            canvas.paste(Image.fromarray(panel), (i * (size + gap), 16))
            draw.text((i * (size + gap) + 2, 2), title, fill=(0, 0, 0))
        args.picture.parent.mkdir(parents=True, exist_ok=True)
        canvas.quantize(colors=256, dither=Image.Dither.NONE).save(args.picture, optimize=True)


if __name__ == "__main__":
    main()
