"""Export the trained checkpoint as Tessera's default model, with its proof.

Writes:
- fixtures/models/default.safetensors: the smp state_dict in float16 (num_batches_tracked left out), with
  metadata the Swift loader reads (architecture, encoder, classes, class_names, class_colours, mpp, tile_size,
  mean, std) and how it was made (training: data, labels, recipe, steps, seed, held-out IoU).
- fixtures/models/default-expected.safetensors: PyTorch's eval-mode float32 logits for two slide tiles, computed
  from exactly the float16-rounded weights upcast to float32; `<case>.rgb` uint8 HWC, `<case>.logits` float32 NCHW,
  `<case>.labels` uint8 HW (the derived labels of the tile, to show the model learned them).
- docs/default-model-preview.png: slide | derived labels | prediction at 25% scale, the held-out band marked.
- tools/train/work/export-summary.json: the figures for the notes.

The held-out IoU is measured with the shipped (float16-rounded) weights.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from importlib import metadata as package_metadata
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw
from safetensors.torch import save_file

import common
import labels as stain_labels

MODEL_PATH = common.REPO / "fixtures" / "models" / "default.safetensors"
EXPECTED_PATH = common.REPO / "fixtures" / "models" / "default-expected.safetensors"
PREVIEW_PATH = common.REPO / "docs" / "default-model-preview.png"

# (name, x, y, size): level-0 origin of each stored tile. tile512 lies in the held-out band.
CASES = [("tile512", 900, 2420, 512), ("tile256", 1100, 1400, 256)]


def rounded_state_dict(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    out = {}
    for name, tensor in state.items():
        if name.endswith("num_batches_tracked"):
            continue
        assert tensor.is_floating_point(), name
        assert tensor.abs().max().item() < 65504, f"{name} overflows float16"
        out[name] = tensor.detach().to(torch.float16).contiguous()
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--inference-tile", type=int, default=256, help="tile_size written to the metadata")
    p.add_argument("--overlap", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--stain-reference", type=Path,
                   help="stain_reference JSON to record in the metadata (from `tessera model stain-reference --out`)")
    p.add_argument("--candidate", type=Path,
                   help="write the model, its expected outputs and the preview into this folder instead of their "
                        "shipped places (to evaluate a retrained model before it replaces the bundled one)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    global MODEL_PATH, EXPECTED_PATH, PREVIEW_PATH
    if args.candidate:
        args.candidate.mkdir(parents=True, exist_ok=True)
        MODEL_PATH, EXPECTED_PATH, PREVIEW_PATH = (args.candidate / path.name for path in (MODEL_PATH, EXPECTED_PATH, PREVIEW_PATH))

    state = torch.load(common.WORK / "checkpoint.pt", weights_only=False)
    if not state.get("finished"):
        print("warning: the checkpoint is not from a finished run")
    train_args = state["args"]
    half = rounded_state_dict(state["model"])
    model = common.build_model()
    missing, unexpected = model.load_state_dict({k: v.float() for k, v in half.items()}, strict=False)
    assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing), (missing, unexpected)
    model.eval()

    rgb, target = common.slide_and_labels()
    held_out_row = common.held_out_from_row(rgb.shape[0])
    evaluations = {}
    predictions = {}
    for tile in sorted({256, 512, args.inference_tile}):
        logits = common.predict_logits(model, rgb, tile, args.overlap)
        prediction = logits.argmax(0).astype(np.uint8)
        predictions[tile] = prediction
        evaluations[tile] = {
            "held_out_iou": common.per_class_iou(prediction[held_out_row:], target[held_out_row:]),
            "training_region_iou": common.per_class_iou(prediction[:held_out_row], target[:held_out_row]),
            "held_out_pixel_accuracy": float((prediction[held_out_row:] == target[held_out_row:]).mean()),
        }
        print(tile, json.dumps(evaluations[tile]), flush=True)
    chosen = evaluations[args.inference_tile]
    held_out_iou = {k: round(v, 4) for k, v in chosen["held_out_iou"].items()}
    mean_iou = round(float(np.mean(list(held_out_iou.values()))), 4)

    versions = {name: package_metadata.version(name) for name in
                ["torch", "segmentation_models_pytorch", "scikit-image", "openslide-python", "numpy"]}
    train_log = [json.loads(line) for line in (common.WORK / "train-log.jsonl").read_text().splitlines()]
    height, width = rgb.shape[:2]
    training = {
        "data": {
            "slide": "fixtures/slides/CMU-1-Small-Region.svs (CC0), level 0, 0.499 um/px used as 0.5 um/px",
            "slide_size": [width, height],
            "held_out": f"rows y >= {held_out_row} (bottom {int(common.HELD_OUT_FRACTION * 100)}%), never seen in training",
            "training_region": f"random {train_args['tile']}x{train_args['tile']} crops lying entirely in rows y < {held_out_row}, "
                               f"redrawn 90% of the time when under {int(train_args['min_tissue'] * 100)}% tissue",
        },
        "labels": {
            "derived": "from the stain by fixed rules (tools/train/labels.py), not annotated by a person",
            "rules": stain_labels.thresholds(),
            "class_fractions_whole_slide": {n: round(float((target == i).mean()), 4)
                                            for i, n in enumerate(stain_labels.CLASS_NAMES)},
            "eosin_dominant_fraction_of_class_2": round(stain_labels.eosin_dominance(rgb, target), 4),
        },
        "recipe": {
            "optimizer": "RMSprop alpha 0.9, momentum 0.9, eps 1e-3, weight decay 1e-5",
            "peak_lr": state["peak_lr"],
            "lr_rule": "0.016 * batch / 256",
            "schedule": "5% linear warm-up, cosine annealing to 1e-5; progress = max(step/steps, elapsed/budget)",
            "augmentation": "random 90-degree rotations, horizontal and vertical flips, "
                            + (f"HED stain jitter (Tellez et al. 2019: each of H and E concentration x U(1-{train_args['hed_scale']}, "
                               f"1+{train_args['hed_scale']}) + U(-{train_args['hed_bias']}, {train_args['hed_bias']}); tools/train/hed.py), "
                               if train_args.get("hed_scale", 0) > 0 else "")
                            + "colour jitter (brightness, contrast, saturation +-10%, hue +-0.02 turn)",
            "initialisation": (f"warm start from {Path(train_args['init_from']).name} (the previous export, sha256 "
                               f"{hashlib.sha256(Path(train_args['init_from']).read_bytes()).hexdigest()[:16]}...)"
                               if train_args.get("init_from") else "random (smp defaults)"),
            "loss": "cross-entropy",
            "batchnorm": f"precise BatchNorm: after the last step every BatchNorm's running statistics were recomputed "
                         f"as averages over {train_args.get('calibration_batches', 32)} batches of {train_args['batch']} "
                         f"training crops, weights frozen (smp's EfficientNet encoder uses BatchNorm momentum 0.01, "
                         f"so its running statistics lag far behind after a short run)",
            "batch": train_args["batch"],
            "tile": train_args["tile"],
            "planned_steps": train_args["steps"],
            "time_budget_min": train_args["time_budget_min"],
        },
        "steps": state["step"],
        "seed": train_args["seed"],
        "train_minutes": round(state["elapsed"] / 60, 1),
        "train_minutes_note": "wall clock of train.py including the BatchNorm calibration",
        "final_train_loss_avg": train_log[-1]["loss_avg"] if train_log else None,
        "machine": "2 CPU cores shared with other work, no GPU",
        "held_out_iou": held_out_iou,
        "held_out_mean_iou": mean_iou,
        "held_out_pixel_accuracy": round(chosen["held_out_pixel_accuracy"], 4),
        "evaluated_with": f"float16-rounded weights, tiles {args.inference_tile} px with {args.overlap} px overlap",
        "held_out_iou_by_tile": {str(t): {k: round(v, 4) for k, v in e["held_out_iou"].items()}
                                 for t, e in evaluations.items()},
        "versions": versions,
    }
    meta = {
        "name": "tessera-demo-he-3class",
        "description": "Demonstration model trained on stain-derived labels of one slide; not a diagnostic model.",
        "architecture": "deeplabv3plus",
        "encoder": "efficientnet-b2",
        "encoder_output_stride": "16",
        "decoder_channels": "256",
        "atrous_rates": "12,24,36",
        "classes": str(len(stain_labels.CLASS_NAMES)),
        "class_names": json.dumps(stain_labels.CLASS_NAMES),
        "class_colours": json.dumps(stain_labels.CLASS_COLOURS),
        "mpp": "0.5",
        "tile_size": str(args.inference_tile),
        "train_tile_size": str(train_args["tile"]),
        "mean": json.dumps(common.MEAN),
        "std": json.dumps(common.STD),
        "normalisation": json.dumps({"mean": common.MEAN, "std": common.STD, "scale": "x/255", "order": "RGB"}),
        "training": json.dumps(training),
        **({"stain_reference": json.dumps(json.loads(args.stain_reference.read_text()))} if args.stain_reference else {}),
        "source": f"segmentation_models_pytorch {versions['segmentation_models_pytorch']}, torch {versions['torch']}",
    }
    MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
    save_file(half, str(MODEL_PATH), metadata=meta)
    MODEL_PATH.chmod(0o644)
    model_sha = hashlib.sha256(MODEL_PATH.read_bytes()).hexdigest()

    expected = {}
    with torch.no_grad():
        for name, x, y, size in CASES:
            tile_rgb = np.ascontiguousarray(rgb[y:y + size, x:x + size])
            logits = model(common.normalise(torch.from_numpy(tile_rgb)[None]))
            expected[f"{name}.rgb"] = torch.from_numpy(tile_rgb)
            expected[f"{name}.logits"] = logits.float().contiguous()
            expected[f"{name}.labels"] = torch.from_numpy(np.ascontiguousarray(target[y:y + size, x:x + size]))
    save_file(expected, str(EXPECTED_PATH), metadata={
        "model": "fixtures/models/default.safetensors", "model_sha256": model_sha,
        "cases": json.dumps([{"name": n, "x": x, "y": y, "width": s, "height": s} for n, x, y, s in CASES]),
        "how": "PyTorch eval mode, float32, weights = the float16 model upcast to float32; "
               "input (rgb/255 - mean)/std with the model's mean and std",
        "versions": json.dumps(versions),
    })

    # Preview: slide | derived labels | prediction, 25% scale, held-out band marked by a line.
    palette = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in stain_labels.CLASS_COLOURS], np.uint8)
    panels = [rgb, palette[target], palette[predictions[args.inference_tile]]]
    scale = 4
    small = []
    for panel in panels:
        image = Image.fromarray(panel).resize((width // scale, height // scale), Image.Resampling.BOX)
        array = np.asarray(image).copy()
        row = held_out_row // scale
        array[row - 1:row + 1] = [0, 0, 0]
        small.append(array)
    gap = np.full((height // scale, 8, 3), 255, np.uint8)
    preview = np.concatenate([small[0], gap, small[1], gap, small[2]], axis=1)
    EXPECTED_PATH.chmod(0o644)
    PREVIEW_PATH.parent.mkdir(parents=True, exist_ok=True)
    canvas = Image.new("RGB", (preview.shape[1], preview.shape[0] + 18), "white")
    canvas.paste(Image.fromarray(preview), (0, 18))
    draw = ImageDraw.Draw(canvas)
    panel_width = width // scale + 8
    for index, title in enumerate(["CMU-1-Small-Region.svs", "labels derived from the stain",
                                   "model prediction (held out below the line)"]):
        draw.text((index * panel_width + 4, 3), title, fill=(0, 0, 0))
    canvas.quantize(colors=256, dither=Image.Dither.NONE).save(PREVIEW_PATH, optimize=True)

    summary = {"model_sha256": model_sha, "metadata": {k: v for k, v in meta.items() if k != "training"},
               "training": training}
    (common.WORK / "export-summary.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
