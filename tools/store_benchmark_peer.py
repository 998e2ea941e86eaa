#!/usr/bin/env python3
"""Peer for the results-store write benchmark: the same synthetic tiles as `tessera-dev write-store`
(Sources/TesseraDevSupport/SyntheticRun.swift), inserted with Python's built-in sqlite3 module (a C loop over executemany) into the same
schema (schemas/results.sql), same batch size, WAL and synchronous=NORMAL. Only the write transactions are timed.

Standard library only (see requirements-store-benchmark.txt). Usage:
    python3 tools/store_benchmark_peer.py OUT.sqlite --slides 4 --tiles 50000 --classes 4 --batch 256
"""
import argparse
import os
import sqlite3
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tile(slide, index, classes):
    weights = [float(((slide + 1) * (index + 3) * (c + 5)) % 97 + 1) for c in range(classes)]
    total = sum(weights)
    tissue = ((slide * 7919 + index * 104729) % 1000) / 1000
    return ((index % 64) * 256, (index // 64) * 256, tissue,
            [(w / total, w / (total + 1)) for w in weights])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("--slides", type=int, default=4)
    parser.add_argument("--tiles", type=int, default=50000)
    parser.add_argument("--classes", type=int, default=4)
    parser.add_argument("--batch", type=int, default=256)
    args = parser.parse_args()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(args.database + suffix):
            os.remove(args.database + suffix)
    db = sqlite3.connect(args.database, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    with open(os.path.join(ROOT, "schemas", "results.sql"), encoding="utf-8") as f:
        db.executescript(f.read())
    db.execute("""INSERT INTO runs (run_uid, tessera_version, model_name, model_sha256, parameters_json,
                  parameters_hash, host, threads, sqlite_version, started_at, status)
                  VALUES ('peer', 'peer', 'synthetic', 'synthetic-model', '{}', 'p', 'peer', 1, sqlite_version(),
                  '2026-01-01T00:00:00.000Z', 'running')""")
    for c in range(args.classes):
        db.execute("INSERT INTO classes VALUES (1, ?, ?, '#000000')", (c, f"class-{c}"))
    seconds = 0.0
    rows = 0
    for s in range(args.slides):
        db.execute("""INSERT INTO slides (fingerprint, path, size_bytes, mtime, width, height)
                      VALUES (?, ?, 1, '2026-01-01T00:00:00.000Z', 16384, 16384)""", (f"peer-{s}", f"/peer/{s}"))
        db.execute("""INSERT INTO slide_runs (run_id, slide_id, slide_path, status, mpp_x, mpp_y, mpp_source)
                      VALUES (1, ?, ?, 'running', 0.5, 0.5, 'slide')""", (s + 1, f"/peer/{s}"))
        slide_run = s + 1
        for start in range(0, args.tiles, args.batch):
            indices = range(start, min(start + args.batch, args.tiles))
            tiles = [(i, tile(s, i, args.classes)) for i in indices]
            began = time.perf_counter()
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?, 256, 256, ?) ON CONFLICT DO NOTHING",
                           [(slide_run, i, t[0], t[1], t[2]) for i, t in tiles])
            db.executemany("INSERT INTO tile_predictions VALUES (?, ?, ?, ?, ?)",
                           [(slide_run, i, c, a, p) for i, t in tiles for c, (a, p) in enumerate(t[3])])
            db.execute("UPDATE slide_runs SET tiles_written = tiles_written + ? WHERE id = ?", (len(tiles), slide_run))
            db.execute("COMMIT")
            seconds += time.perf_counter() - began
            rows += len(tiles) * args.classes
    print(f"peer (python sqlite3 {sqlite3.sqlite_version}): {rows} prediction rows in {seconds:.3f} s of writes: "
          f"{int(rows / seconds)} prediction rows/s")


if __name__ == "__main__":
    main()
