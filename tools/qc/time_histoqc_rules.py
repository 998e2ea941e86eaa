#!/usr/bin/env python3
"""Times HistoQC's re-implemented blur and dark-tissue rules (histoqc_rules.py) on every image of the artefact set,
decoding excluded, the best of three passes: the figure BENCHMARKS.md sets beside Tessera's checks on the same images
(TesseraQCTests' ArtefactSetTests.timesTheChecksOnTheSet).

Usage: time_histoqc_rules.py [--set fixtures/qc-artefacts]
"""
import argparse
import json
import os
import time

import numpy as np
from PIL import Image

import histoqc_rules


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", default=os.path.join(histoqc_rules.ROOT, "fixtures", "qc-artefacts"))
    args = parser.parse_args()
    with open(os.path.join(args.set, "manifest.json")) as f:
        manifest = json.load(f)
    inputs = []
    for slide, record in manifest["slides"].items():
        directory = os.path.join(args.set, slide)
        tissue = np.asarray(Image.open(os.path.join(directory, "tissue.png")).convert("L")) >= 128
        for variant in histoqc_rules.VARIANTS:
            image = np.asarray(Image.open(os.path.join(directory, f"{variant}.png")).convert("RGB"))
            inputs.append((image, tissue, record["qc_mpp"]))
    pixels = sum(image.shape[0] * image.shape[1] for image, _, _ in inputs)
    for label, radius, threshold in (("config.ini (radius 100, 0.15)", 100, 0.15), ("module defaults (7, 0.1)", 7, 0.1)):
        passes = []
        for _ in range(3):
            started = time.perf_counter()
            for image, tissue, mpp in inputs:
                _ = histoqc_rules.blur_rule(image, mpp, radius, threshold) & tissue
                _ = histoqc_rules.dark_rule(image, mpp) & tissue
            passes.append(time.perf_counter() - started)
        print(f"HistoQC blur ({label}) and dark-tissue rules on the artefact set ({len(inputs)} images, "
              f"{pixels / 1e6:.1f} M pixels): {min(passes):.2f} s (best of 3)")


if __name__ == "__main__":
    main()
