"""Tile size and overlap: how they change the results, and what they cost (issue 29, "no overlap waste").

For each slide and each tiling (tile:overlap, in target pixels), runs `tessera run` with one heatmap pixel per
model pixel and compares its class map (`heatmaps/<slide>.classes.tif`, level 0) with the reference tiling's:

- agreement: the fraction of pixels both runs predicted whose class is the same (the argmax agreement);
- seams: across the borders between tiles' own windows (read from the results file's `tiles` table), the fraction of
  neighbouring pixel pairs whose class differs, divided by the same fraction across the lines halfway inside the
  tiles. 1.0 means borders look like any other line; a visible seam shows as a ratio well above the reference's;
- cost: tiles, network pixels (tiles x tile²) per mm² of tissue (the reference's predicted area), and the run's
  CPU seconds per mm² (children's user + system time; a loaded machine distorts CPU time much less than wall time).
  Runs of all tilings alternate round after round, so background load hits them alike; medians are printed.

    tools/.venv/bin/python tools/bench/tiling_study.py --tessera .build/release/tessera \\
        fixtures/slides/CMU-1-Small-Region.svs --configs 256:64,256:32,256:16,256:0,512:64,512:32 --rounds 2

Needs numpy and pyvips (tools/bench/requirements.txt).
"""
import argparse
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import time

import numpy as np
import pyvips


def run_once(tessera, slide, tile, overlap, out, extra):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([tessera, "run", slide, "--out", out, "--tile", str(tile), "--overlap", str(overlap),
                    "--heatmap-pixel", "1", "--quiet"] + extra, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def class_map(out, slide):
    name = os.path.basename(slide)
    image = pyvips.Image.new_from_file(os.path.join(out, "heatmaps", name + ".classes.tif"), page=0)
    return np.ndarray(buffer=image.write_to_memory(), dtype=np.uint8, shape=(image.height, image.width))


def own_windows(out):
    with sqlite3.connect(os.path.join(out, "results.sqlite")) as db:
        return db.execute("SELECT x, y, width, height FROM tiles").fetchall()


def seam_ratio(classes, windows):
    """Class changes across own-window borders over class changes across the windows' middle lines."""
    def changes(vertical_lines, horizontal_lines):
        differ = total = 0
        for x, y0, y1 in vertical_lines:
            if 0 < x < classes.shape[1]:
                a, b = classes[y0:y1, x - 1], classes[y0:y1, x]
                valid = (a != 255) & (b != 255)
                differ += int(np.count_nonzero((a != b) & valid))
                total += int(np.count_nonzero(valid))
        for y, x0, x1 in horizontal_lines:
            if 0 < y < classes.shape[0]:
                a, b = classes[y - 1, x0:x1], classes[y, x0:x1]
                valid = (a != 255) & (b != 255)
                differ += int(np.count_nonzero((a != b) & valid))
                total += int(np.count_nonzero(valid))
        return differ / max(1, total)

    borders = changes([(x, y, y + h) for x, y, w, h in windows], [(y, x, x + w) for x, y, w, h in windows])
    middles = changes([(x + w // 2, y, y + h) for x, y, w, h in windows],
                      [(y + h // 2, x, x + w) for x, y, w, h in windows])
    return borders / middles if middles > 0 else float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("slides", nargs="+")
    parser.add_argument("--tessera", default=".build/release/tessera")
    parser.add_argument("--configs", default="256:64,256:32,256:16,256:0,512:64,512:32")
    parser.add_argument("--reference", default="256:64", help="the tiling the others are compared with")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", default="out/tiling-study")
    parser.add_argument("--run-option", action="append", default=[],
                        help="passed to every `tessera run` (repeat it: --run-option=--stain --run-option=none)")
    parser.add_argument("--no-run", action="store_true",
                        help="only compare the outputs an earlier invocation left in --out (round 1); no timing")
    parser.add_argument("--target-mpp", type=float, default=0.5, help="the model's µm/px (the bundled model's: 0.5)")
    parser.add_argument("--mpp-um", type=float, default=None, help="level-0 µm/px for the area (default: the slide's)")
    args = parser.parse_args()

    configs = [tuple(int(v) for v in c.split(":")) for c in args.configs.split(",")]
    reference = tuple(int(v) for v in args.reference.split(":"))
    if reference not in configs:
        configs.insert(0, reference)
    report = []
    for slide in args.slides:
        import openslide
        handle = openslide.OpenSlide(slide)
        mpp = args.mpp_um or float(handle.properties["openslide.mpp-x"])
        walls, cpus = {}, {}
        for round_index in range(0 if args.no_run else args.rounds):
            order = configs if round_index % 2 == 0 else list(reversed(configs))
            for tile, overlap in order:
                out = os.path.join(args.out, f"{os.path.basename(slide)}-{tile}-{overlap}-r{round_index}")
                subprocess.run(["rm", "-rf", out], check=True)
                wall, cpu = run_once(args.tessera, slide, tile, overlap, out, args.run_option)
                walls.setdefault((tile, overlap), []).append(wall)
                cpus.setdefault((tile, overlap), []).append(cpu)
                print(f"round {round_index + 1}: {os.path.basename(slide)} tile {tile} overlap {overlap}: "
                      f"{wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)
        ref_out = os.path.join(args.out, f"{os.path.basename(slide)}-{reference[0]}-{reference[1]}-r0")
        ref_classes = class_map(ref_out, slide)
        # A class-map pixel covers d x d level-0 pixels (d = round(target mpp / slide mpp), the heatmap's downsample).
        d = handle.dimensions[0] / ref_classes.shape[1]
        d = round(d) if abs(d - round(d)) < 0.05 else d
        area_mm2 = np.count_nonzero(ref_classes != 255) * (mpp * d) ** 2 / 1e6
        for tile, overlap in configs:
            out = os.path.join(args.out, f"{os.path.basename(slide)}-{tile}-{overlap}-r0")
            classes = class_map(out, slide)
            windows = own_windows(out)
            both = (classes != 255) & (ref_classes != 255)
            agreement = float(np.count_nonzero((classes == ref_classes) & both)) / max(1, np.count_nonzero(both))
            row = {
                "slide": os.path.basename(slide), "tile": tile, "overlap": overlap, "tiles": len(windows),
                # Tissue pixels at the target resolution: area / target mpp².
                "network_pixels_per_tissue_pixel": len(windows) * tile * tile * args.target_mpp ** 2 / (area_mm2 * 1e6),
                "agreement": agreement, "seam_ratio": seam_ratio(classes, windows),
                "cpu_seconds_per_mm2": statistics.median(cpus[(tile, overlap)]) / area_mm2 if cpus else float("nan"),
                "wall_seconds_per_mm2": statistics.median(walls[(tile, overlap)]) / area_mm2 if walls else float("nan"),
                "tissue_mm2": area_mm2,
            }
            report.append(row)
    print()
    print("| slide | tile | overlap | tiles | network px per tissue px | agreement with "
          f"{reference[0]}/{reference[1]} | seam ratio | CPU s per mm² | wall s per mm² |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in report:
        print(f"| {row['slide']} | {row['tile']} | {row['overlap']} | {row['tiles']} | "
              f"{row['network_pixels_per_tissue_pixel']:.2f} | {100 * row['agreement']:.2f}% | {row['seam_ratio']:.2f} | "
              f"{row['cpu_seconds_per_mm2']:.2f} | {row['wall_seconds_per_mm2']:.2f} |")
    print(f"load average at the end: {open('/proc/loadavg').read().split()[:3]} on {os.cpu_count()} CPUs")
    with open(os.path.join(args.out, "report.json"), "w") as file:
        json.dump(report, file, indent=1)


if __name__ == "__main__":
    sys.exit(main())
