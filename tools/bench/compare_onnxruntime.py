#!/usr/bin/env python3
"""Tessera's network versus ONNX Runtime on the same tiles, alternating, in one run.

For each batch size, rounds alternate: ONNX Runtime (in this process, intra-op threads = --threads) for --seconds,
then `tessera model bench` (a subprocess, same tiles via a .npy file, same threads) for --seconds. Each engine's
tiles/s is the median over rounds. Prints tiles/s for both, their ratio, GMAC/s and peak RSS.

    python3 -m venv .venv && .venv/bin/pip install -r tools/bench/requirements.txt
    swift build -c release
    .venv/bin/python tools/bench/compare_onnxruntime.py --tessera .build/release/tessera \
        --model fixtures/models/reference-random.safetensors --onnx fixtures/reference/model.onnx
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnxruntime as ort

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def tiles_from_cases(cases_path, batch, size):
    """Real H&E tiles: case0's RGB tile (512x512) from the reference cases, flipped/rotated to fill the batch."""
    try:
        with open(cases_path, "rb") as f:
            n = int.from_bytes(f.read(8), "little")
            header = json.loads(f.read(n))
            entry = header["case0.rgb"]
            start, end = entry["data_offsets"]
            f.seek(8 + n + start)
            rgb = np.frombuffer(f.read(end - start), dtype=np.uint8).reshape(entry["shape"])
    except (OSError, KeyError):
        rgb = np.random.default_rng(7).integers(0, 256, (size, size, 3), dtype=np.uint8)
    rgb = np.resize(rgb, (size, size, 3)) if rgb.shape[:2] != (size, size) else rgb
    variants = [rgb, rgb[::-1], rgb[:, ::-1], np.rot90(rgb)]
    return np.stack([np.ascontiguousarray(variants[i % 4]) for i in range(batch)])


def run_onnxruntime(session, tiles, seconds):
    x = ((tiles.astype(np.float32) / 255.0 - MEAN) / STD).transpose(0, 3, 1, 2).copy()
    session.run(["logits"], {"input": x})  # warm-up
    count, start = 0, time.perf_counter()
    while True:
        x = ((tiles.astype(np.float32) / 255.0 - MEAN) / STD).transpose(0, 3, 1, 2).copy()
        session.run(["logits"], {"input": x})
        count += len(tiles)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed


def run_tessera(tessera, model, tiles_path, batch, size, threads, seconds):
    command = [tessera, "model", "bench", model, "--batch", str(batch), "--size", str(size), "--threads", str(threads),
               "--seconds", str(seconds), "--tiles", tiles_path, "--json"]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tessera", default=".build/release/tessera")
    parser.add_argument("--model", default="fixtures/models/reference-random.safetensors")
    parser.add_argument("--onnx", default="fixtures/reference/model.onnx")
    parser.add_argument("--cases", default="fixtures/reference/cases.safetensors")
    parser.add_argument("--batches", default="1,4")
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--gmac-per-tile", type=float, default=8.96)
    parser.add_argument("--wait-policy", choices=["default", "passive"], default="default",
                        help="passive: idle worker threads sleep at once (OMP_WAIT_POLICY=passive for Tessera's OpenMP, "
                             "session.intra_op.allow_spinning=0 for ONNX Runtime); better when other work shares the cores")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if args.wait_policy == "passive":
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        os.environ["OMP_WAIT_POLICY"] = "passive"  # inherited by the tessera subprocess
    session = ort.InferenceSession(args.onnx, options, providers=["CPUExecutionProvider"])

    results = []
    with tempfile.TemporaryDirectory() as directory:
        for batch in [int(b) for b in args.batches.split(",")]:
            tiles = tiles_from_cases(args.cases, batch, args.size)
            tiles_path = os.path.join(directory, f"tiles-{batch}.npy")
            np.save(tiles_path, tiles)
            ort_rates, tessera_rates, tessera_rss = [], [], []
            for _ in range(args.rounds):
                ort_rates.append(run_onnxruntime(session, tiles, args.seconds))
                report = run_tessera(args.tessera, args.model, tiles_path, batch, args.size, args.threads, args.seconds)
                tessera_rates.append(report["tiles_per_second"])
                tessera_rss.append(report["peak_rss_mib"])
            ort_median, tessera_median = statistics.median(ort_rates), statistics.median(tessera_rates)
            result = {
                "batch": batch, "size": args.size, "wait_policy": args.wait_policy, "threads": args.threads, "rounds": args.rounds, "seconds": args.seconds,
                "tessera_tiles_per_second": tessera_median, "onnxruntime_tiles_per_second": ort_median,
                "ratio": tessera_median / ort_median,
                "tessera_gmac_per_second": tessera_median * args.gmac_per_tile,
                "onnxruntime_gmac_per_second": ort_median * args.gmac_per_tile,
                "tessera_peak_rss_mib": max(tessera_rss),
                "onnxruntime_peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "tessera_rounds": tessera_rates, "onnxruntime_rounds": ort_rates,
            }
            results.append(result)
            if not args.json:
                print(f"batch {batch}, wait policy {args.wait_policy}: tessera {tessera_median:.2f} tiles/s ({result['tessera_gmac_per_second']:.1f} GMAC/s, "
                      f"peak RSS {result['tessera_peak_rss_mib']:.0f} MiB) | onnxruntime {ort_median:.2f} tiles/s "
                      f"({result['onnxruntime_gmac_per_second']:.1f} GMAC/s, peak RSS {result['onnxruntime_peak_rss_mib']:.0f} MiB"
                      f" so far in this process) | ratio {result['ratio']:.2f}x", flush=True)
                print(f"  rounds: tessera {['%.2f' % r for r in tessera_rates]}, onnxruntime {['%.2f' % r for r in ort_rates]}",
                      flush=True)
    if args.json:
        print(json.dumps(results, indent=1))
    print(f"onnxruntime {ort.__version__}, numpy {np.__version__}, load average {os.getloadavg()}", file=sys.stderr)


if __name__ == "__main__":
    main()
