#!/usr/bin/env python3
"""Runs `tessera model run` on the reference cases and prints max |logit error| and argmax agreement.

    .venv/bin/python tools/bench/check_reference.py --tessera .build/release/tessera
"""
import argparse
import json
import os
import struct
import subprocess
import tempfile
import zlib

import numpy as np


def read_safetensors(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        data = f.read()
    types = {"F32": np.float32, "U8": np.uint8, "F16": np.float16}
    return {k: np.frombuffer(data[v["data_offsets"][0]:v["data_offsets"][1]], dtype=types[v["dtype"]]).reshape(v["shape"])
            for k, v in header.items() if k != "__metadata__"}


def write_png(path, rgb):
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))
    def chunk(t, b):
        return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b) & 0xffffffff)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tessera", default=".build/release/tessera")
    parser.add_argument("--model", default="fixtures/models/reference-random.safetensors")
    parser.add_argument("--cases", default="fixtures/reference/cases.safetensors")
    args = parser.parse_args()
    cases = read_safetensors(args.cases)
    with tempfile.TemporaryDirectory() as directory:
        for name in ["case0", "case1"]:
            png, labels, logits = (os.path.join(directory, f"{name}.{ext}") for ext in ["png", "labels.png", "npy"])
            write_png(png, cases[f"{name}.rgb"])
            subprocess.run([args.tessera, "model", "run", args.model, png, "--out", labels, "--logits", logits],
                           check=True, capture_output=True)
            actual, expected = np.load(logits), cases[f"{name}.logits"][0]
            error = np.abs(actual - expected)
            agreement = (actual.argmax(0) == expected.argmax(0)).mean()
            print(f"{name} {expected.shape[1]}x{expected.shape[2]}: max |logit error| {error.max():.2e}, "
                  f"mean {error.mean():.2e}, argmax agreement {100 * agreement:.4f}%")


if __name__ == "__main__":
    main()
