#!/usr/bin/env python3
"""Scores any detector's masks on the artefact set (tools/qc/make_artefact_set.py), independently of Tessera.

A detector writes, for each slide of the set and each image variant (clean, pen, blur, fold, bubble), one mask per
kind it finds: PRED/<slide>/<variant>.<kind>.png (gray, >= 128 = flagged; the size of the set's images), with the
kinds pen, blur, fold and bubble_edge. A missing file counts as an empty mask.

Per slide and kind it reports
- iou: the mask on the variant with that artefact against the known mask;
- iou_new: the same, leaving out the pixels the detector flagged for that kind on the clean image (artefacts the
  real slide already has, such as CMU-1's teal margin dye for pen: they are not in the known mask);
- fp_clean_pct: the share of the clean image's tissue (tissue.png) flagged for that kind, in %.

Usage: evaluate_masks.py PRED [--set fixtures/qc-artefacts] [--json out.json]
"""
import argparse
import json
import os

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VARIANT_KIND = {"pen": "pen", "blur": "blur", "fold": "fold", "bubble": "bubble_edge"}


def load(path, shape):
    if not os.path.exists(path):
        return np.zeros(shape, dtype=bool)
    mask = np.asarray(Image.open(path).convert("L")) >= 128
    if mask.shape != shape:
        raise SystemExit(f"{path}: {mask.shape[1]} x {mask.shape[0]}, the set's image is {shape[1]} x {shape[0]}")
    return mask


def iou(a, b):
    union = np.count_nonzero(a | b)
    return 1.0 if union == 0 else np.count_nonzero(a & b) / union


def evaluate(pred, set_dir):
    with open(os.path.join(set_dir, "manifest.json")) as f:
        manifest = json.load(f)
    rows = []
    for slide in manifest["slides"]:
        directory = os.path.join(set_dir, slide)
        tissue = np.asarray(Image.open(os.path.join(directory, "tissue.png")).convert("L")) >= 128
        shape = tissue.shape
        for variant, kind in VARIANT_KIND.items():
            known = load(os.path.join(directory, f"{variant}.mask.png"), shape)
            found = load(os.path.join(pred, slide, f"{variant}.{kind}.png"), shape)
            on_clean = load(os.path.join(pred, slide, f"clean.{kind}.png"), shape)
            keep = ~on_clean
            rows.append({
                "slide": slide, "kind": kind,
                "iou": round(iou(found, known), 4),
                "iou_new": round(iou(found & keep, known & keep), 4),
                "known_px": int(np.count_nonzero(known)), "found_px": int(np.count_nonzero(found)),
                "fp_clean_pct": round(100 * np.count_nonzero(on_clean & tissue) / max(1, np.count_nonzero(tissue)), 3),
            })
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pred")
    parser.add_argument("--set", default=os.path.join(ROOT, "fixtures", "qc-artefacts"))
    parser.add_argument("--json")
    args = parser.parse_args()
    rows = evaluate(args.pred, args.set)
    print("| slide | kind | IoU | IoU (new only) | known px | found px | FP % of clean tissue |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['slide']} | {r['kind']} | {r['iou']:.3f} | {r['iou_new']:.3f} | {r['known_px']} | {r['found_px']} | {r['fp_clean_pct']:.2f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
