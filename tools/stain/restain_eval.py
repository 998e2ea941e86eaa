"""Does the model hold up on other labs' stain? Held-out CMU tissue re-stained with the measured variation of real
labs (HED scales 0.6-1.4, biases +-0.05; tools/train/hed.py), predicted without normalisation and with each of
--methods (per-slide statistics: estimated once from the re-stained region's tissue, then applied to every tile,
as `tessera run` does), and scored by nuclei IoU against the derived labels of the UNALTERED region.

The region: the held-out band of CMU-1-Small-Region.svs (rows y >= 2225, never seen in training), columns
x in [COLUMNS), predicted in 256 px tiles overlapping by 64 px (the tiling of tools/train/common.predict_logits,
the tiles of one image run as one batch).
The target: the model's own `stain_reference` (its safetensors metadata, as `tessera model stain-reference`
wrote it), unless --reference names a JSON file.
The conditions: the four corners (H and E scale 0.6/1.4, the mixed corners with biases -+0.05), then seeded
uniform draws over scales [0.6, 1.4] and biases [-0.05, 0.05] (seed 2019), --conditions in all.
The "label rule after Macenko" column is tools/train/labels.py's rule applied to the re-stained region after
Macenko to the reference, scored the same way: how much of the nuclei the re-stained pixels still hold, whatever
the model (a -0.05 haematoxylin bias erases most of them: no colour transform can bring them back).
"Within 0.1" counts conditions whose IoU is within 0.1 of the UNALTERED region's IoU WITHOUT normalisation (the
model's own figure; the stricter of the two possible baselines).

Writes the figures to tools/stain/work/restain-eval-<name>.json (--name, default the model's file stem) and a
Markdown table to stdout; --table A.json B.json ... prints one table comparing earlier runs (models side by side);
--picture docs/stain-normalisation.png draws a before/after picture of one re-stained tile.

Run: tools/.venv/bin/python tools/stain/restain_eval.py --model fixtures/models/default.safetensors --conditions 10
"""

from __future__ import annotations

import argparse
import hashlib
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
import labels as stain_labels  # noqa: E402
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


def predict_batched(model: torch.nn.Module, rgb: np.ndarray, tile: int = 256, overlap: int = 64) -> np.ndarray:
    """Class map of a whole image: common.predict_logits' tiling (reflection padding, each tile keeps its centre),
    every tile of the image in one batch (the same numbers, fewer calls)."""
    height, width, _ = rgb.shape
    step, margin = tile - overlap, overlap // 2
    rows = max(1, int(np.ceil((height - overlap) / step)))
    cols = max(1, int(np.ceil((width - overlap) / step)))
    padded = np.pad(rgb, ((0, rows * step + overlap - height), (0, cols * step + overlap - width), (0, 0)), mode="reflect")
    origins = [(r * step, c * step) for r in range(rows) for c in range(cols)]
    windows = np.stack([padded[y:y + tile, x:x + tile] for y, x in origins])
    with torch.inference_mode():
        logits = torch.cat([model(common.normalise(torch.from_numpy(windows[i:i + 10])))
                            for i in range(0, len(windows), 10)]).numpy()
    out = np.zeros((logits.shape[1], padded.shape[0], padded.shape[1]), np.float32)
    for (y, x), tile_logits in zip(origins, logits):
        top = 0 if y == 0 else margin
        left = 0 if x == 0 else margin
        out[:, y + top:y + tile, x + left:x + tile] = tile_logits[:, top:, left:]
    return out[:, :height, :width].argmax(0)


def table(results: list[dict]) -> str:
    """Markdown: one row per condition, for each result (model) its no-normalisation and normalised IoUs."""
    columns = [(r, m) for r in results for m in ["none"] + r["methods"]]
    with_rule = next((r for r in results if "rule" in r["baseline"]), None)
    def label(r: dict, m: str) -> str:
        return f"{r['name']}: {'no normalisation' if m == 'none' else m.capitalize()}"
    lines = ["| H scale | E scale | H bias | E bias | " + ("label rule after Macenko | " if with_rule else "")
             + " | ".join(label(r, m) for r, m in columns) + " |",
             "|---|---|---|---|" + ("---|" if with_rule else "") + "---|" * len(columns),
             "| 1 | 1 | 0 | 0 (unaltered) | " + (f"{with_rule['baseline']['rule']:.3f} | " if with_rule else "")
             + " | ".join(f"{r['baseline'][m]:.3f}" for r, m in columns) + " |"]
    for index, row in enumerate(results[0]["rows"]):
        cells = [f"{with_rule['rows'][index]['rule']:.3f}"] if with_rule else []
        for r, m in columns:
            assert r["rows"][index]["hed_scales"] == row["hed_scales"], "the runs used different conditions"
            value = r["rows"][index][m]
            cells.append(f"{value:.3f}" if abs(value - r["baseline"]["none"]) <= 0.1 else f"**{value:.3f}**")
        s, b = row["hed_scales"], row["hed_biases"]
        lines.append(f"| {s[0]} | {s[1]} | {b[0]:+} | {b[1]:+} | " + " | ".join(cells) + " |")
    counts = [f"{sum(abs(x[m] - r['baseline']['none']) <= 0.1 for x in r['rows'])} of {len(r['rows'])}" for r, m in columns]
    lines.append("| within 0.1 of the unaltered region (no normalisation) | | | | " + ("| " if with_rule else "")
                 + " | ".join(counts) + " |")
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path)
    p.add_argument("--name", help="the model's name in the table and the JSON file (default: the file's stem)")
    p.add_argument("--reference", type=Path, help="stain_reference JSON (default: the model's metadata)")
    p.add_argument("--methods", nargs="+", default=["reinhard", "macenko"], choices=["reinhard", "macenko"])
    p.add_argument("--conditions", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--picture", type=Path)
    p.add_argument("--table", type=Path, nargs="+", help="print one table from earlier runs' JSON files and stop")
    args = p.parse_args()
    if args.table:
        print(table([json.loads(path.read_text()) for path in args.table]))
        return
    if not args.model:
        p.error("--model is required (or --table)")
    torch.set_num_threads(args.threads)
    model, meta = load_model(args.model)
    reference = json.loads(args.reference.read_text() if args.reference else meta["stain_reference"])
    name = args.name or args.model.stem

    rgb, labels = common.slide_and_labels()
    row = common.held_out_from_row(rgb.shape[0])
    region, truth = rgb[row:, COLUMNS[0]:COLUMNS[1]], labels[row:, COLUMNS[0]:COLUMNS[1]]

    def predict(image: np.ndarray) -> np.ndarray:
        return predict_batched(model, image)

    def normalise(image: np.ndarray, method: str) -> np.ndarray:
        source = stainnorm.estimate(method, stainnorm.tissue_pixels(image[::2, ::2]))
        return stainnorm.transform(method, image, source, reference[method])

    if args.picture:
        draw_picture(args.picture, region, row, predict, normalise, reference["method"], name)
        return

    def scores(image: np.ndarray) -> dict:
        # "rule": the label rule itself on the re-stained image after Macenko to the reference (labels.py): how much
        # of the nuclei the image still holds, whatever the model.
        out = {"rule": nuclei_iou(stain_labels.derive_labels(image, reference), truth), "none": nuclei_iou(predict(image), truth)}
        for method in args.methods:
            out[method] = nuclei_iou(predict(normalise(image, method)), truth)
        return out

    baseline = scores(region)
    print("unaltered", json.dumps(baseline), flush=True)
    rows = []
    for scales, biases in conditions(args.conditions):
        restained = hed.restain_uint8(region, scales + [1.0], biases + [0.0])
        rows.append({"hed_scales": scales, "hed_biases": biases, **scores(restained)})
        print(json.dumps(rows[-1]), flush=True)
    result = {"name": name, "model": str(args.model), "model_sha256": hashlib.sha256(args.model.read_bytes()).hexdigest(),
              "reference": reference, "methods": args.methods, "columns": list(COLUMNS), "held_out_from_row": row,
              "baseline": baseline, "rows": rows}
    result["table"] = table([result])
    print(result["table"])
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / f"restain-eval-{name.replace(' ', '-')}.json").write_text(json.dumps(result, indent=1))


def draw_picture(path: Path, region: np.ndarray, row: int, predict, normalise, method: str, name: str) -> None:
    """Re-stained tile | normalised | prediction without | prediction with normalisation (and the unaltered tile)."""
    from PIL import Image, ImageDraw
    x, y, size = 600, 2420 - row, 320
    scales, biases = [0.91, 1.16], [0.005, 0.043]  # a condition of the table: pinker (more eosin, tinted)
    restained_region = hed.restain_uint8(region, scales + [1.0], biases + [0.0])
    normalised_region = normalise(restained_region, method)
    palette = np.array([[255, 255, 255], [0x3B, 0x4C, 0xC0], [0xF0, 0x8C, 0xB4]], np.uint8)
    crop = (slice(y, y + size), slice(x, x + size))
    panels = [region[crop], restained_region[crop], normalised_region[crop],
              palette[predict(restained_region)[crop]], palette[predict(normalised_region)[crop]]]
    titles = ["held-out CMU tissue", f"re-stained: H x{scales[0]}{biases[0]:+}, E x{scales[1]}{biases[1]:+}",
              f"{method.capitalize()} to the model's reference", f"{name}: prediction, re-stained",
              f"{name}: prediction, normalised"]
    gap = 6
    canvas = Image.new("RGB", (len(panels) * (size + gap) - gap, size + 16), "white")
    draw = ImageDraw.Draw(canvas)
    for i, (panel, title) in enumerate(zip(panels, titles)):
        canvas.paste(Image.fromarray(np.ascontiguousarray(panel)), (i * (size + gap), 16))
        draw.text((i * (size + gap) + 2, 2), title, fill=(0, 0, 0))
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas.quantize(colors=256, dither=Image.Dither.NONE).save(path, optimize=True)


if __name__ == "__main__":
    main()
