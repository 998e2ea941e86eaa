"""Level-0 tile read throughput: `tessera-dev bench-read` next to openslide-python, same tiles, same run.

Each measurement is a fresh process (cold OpenSlide cache on both sides) reading the same tiles: with
columns = width // size, rows = height // size, total = columns * rows, tile k of n is grid cell k * total // n,
row-major (ReadBenchmark.tileOrigins in Sources/TesseraDevSupport/ReadBenchmark.swift). The sides alternate, round after
round, so background load hits both alike; medians are printed.

    tools/.venv/bin/python tools/bench/bench_read.py out/synthetic-50000x40000.large.tiff \
        --tessera-dev .build/release/tessera-dev --tiles 400 --rounds 5

Tessera decodes the JPEG tiles of Aperio and generic TIFF slides itself (Sources/TesseraSlide/JPEGTileReader.swift);
`--with-openslide-reader` adds a third side, Tessera reading through OpenSlide (`bench-read --reader openslide`).

openslide-python's read_region returns an un-premultiplied RGBA PIL image (its C helper does the conversion);
Tessera returns RGB composited onto white. Both are "a usable 512x512 tile".
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time


def origins(width, height, size, count):
    columns, rows = max(1, width // size), max(1, height // size)
    total = columns * rows
    return [((k * total // count) % columns * size, (k * total // count) // columns * size) for k in range(count)]


def python_worker(path, threads, tiles, size):
    import openslide

    slide = openslide.OpenSlide(path)
    todo = origins(*slide.dimensions, size, tiles)
    lock = threading.Lock()
    position = [0]

    def work():
        while True:
            with lock:
                index = position[0]
                position[0] += 1
            if index >= len(todo):
                return
            slide.read_region(todo[index], 0, (size, size))

    cpu_start = time.process_time()
    start = time.perf_counter()
    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    print(f"openslide-python threads={threads} tiles={tiles} size={size} seconds={seconds:.4f} "
          f"tiles_per_second={tiles / seconds:.2f} cpu_seconds={cpu_seconds:.4f} "
          f"tiles_per_cpu_second={tiles / cpu_seconds:.2f}")


def measure(command):
    """(tiles per wall second, tiles per CPU second) from one worker's output line."""
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    wall = float(re.search(r" tiles_per_second=([0-9.]+)", output).group(1))
    cpu = float(re.search(r"tiles_per_cpu_second=([0-9.]+)", output).group(1))
    return wall, cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("slide")
    parser.add_argument("--tessera-dev", default=".build/release/tessera-dev")
    parser.add_argument("--tiles", type=int, default=400)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--with-openslide-reader", action="store_true",
                        help="also time Tessera with --reader openslide (OpenSlide for every tile)")
    parser.add_argument("--python-worker", type=int, metavar="THREADS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.python_worker:
        python_worker(args.slide, args.python_worker, args.tiles, args.size)
        return

    thread_counts = [int(t) for t in args.threads.split(",")]
    results = {}
    cpu_results = {}
    for round_index in range(args.rounds):
        for threads in thread_counts:
            sides = [
                ("tessera", [args.tessera_dev, "bench-read", args.slide, "--threads", str(threads),
                             "--tiles", str(args.tiles), "--size", str(args.size)]),
                ("openslide-python", [sys.executable, __file__, args.slide, "--python-worker", str(threads),
                                      "--tiles", str(args.tiles), "--size", str(args.size)]),
            ]
            if args.with_openslide_reader:
                sides.append(("tessera-openslide", sides[0][1] + ["--reader", "openslide"]))
            if round_index % 2:
                sides.reverse()
            for name, command in sides:
                wall, cpu = measure(command)
                results.setdefault((name, threads), []).append(wall)
                cpu_results.setdefault((name, threads), []).append(cpu)
                print(f"round {round_index + 1}: {name:16} threads={threads} {wall:8.1f} tiles/s "
                      f"{cpu:8.1f} tiles/CPU-s", flush=True)

    print(f"\n{args.tiles} tiles of {args.size}x{args.size} at level 0, median of {args.rounds} rounds:")
    for threads in thread_counts:
        for name in ("tessera", "tessera-openslide", "openslide-python"):
            if (name, threads) not in results:
                continue
            values = results[(name, threads)]
            print(f"  {name:16} threads={threads}: {statistics.median(values):8.1f} tiles/s "
                  f"(min {min(values):.1f}, max {max(values):.1f}); "
                  f"{statistics.median(cpu_results[(name, threads)]):8.1f} tiles per CPU-second")
    base = statistics.median(results[("tessera", 1)])
    for threads in thread_counts[1:]:
        print(f"  tessera speed-up with {threads} threads: {statistics.median(results[('tessera', threads)]) / base:.2f}x")
    print(f"  tessera / openslide-python, 1 thread: "
          f"{base / statistics.median(results[('openslide-python', 1)]):.2f}x wall, "
          f"{statistics.median(cpu_results[('tessera', 1)]) / statistics.median(cpu_results[('openslide-python', 1)]):.2f}x "
          f"per CPU-second")
    python_cpu = statistics.median(cpu_results[('openslide-python', 1)])
    print(f"  CPU per tile, 1 thread: tessera {1000 / statistics.median(cpu_results[('tessera', 1)]):.2f} ms, "
          f"openslide-python {1000 / python_cpu:.2f} ms: openslide-python takes "
          f"{statistics.median(cpu_results[('tessera', 1)]) / python_cpu:.2f}x tessera's CPU per tile")
    print(f"  load average at the end: {open('/proc/loadavg').read().split()[:3]} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
