#!/usr/bin/env bash
# End-to-end throughput and memory of `tessera run` (release build) on large synthetic slides, next to the network's
# own batch throughput measured in the same session (`tessera model bench`, same model, batch, tile and threads).
#
#   tools/bench/end-to-end.sh [SMALL_EDGE] [LARGE_EDGE]      default 10000 and 20000: two slides 4x apart in area
#
# Prints one line per measurement and a summary; peak RSS comes from /usr/bin/time -v (GNU time).
set -euo pipefail
cd "$(dirname "$0")/../.."
small=${1:-10000}
large=${2:-20000}
threads=${THREADS:-2}
batch=${BATCH:-4}
tile=${TILE:-512}
model=${MODEL:-Sources/TesseraPipeline/Resources/default.safetensors}

swift build -c release --product tessera >/dev/null
tessera="$(swift build -c release --show-bin-path)/tessera"
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }

for edge in "$small" "$large"; do
    slide="out/synthetic-${edge}x${edge}.large.tiff"
    [ -f "$slide" ] || tools/make-large-slide.sh "$slide" "$edge" "$edge" >/dev/null
done

echo "network alone: tessera model bench --batch $batch --size $tile --threads $threads"
"$tessera" model bench "$model" --batch "$batch" --size "$tile" \
    --threads "$threads" --seconds 60 --json 2>/dev/null | tee out/bench-network.json || true

for edge in "$small" "$large"; do
    slide="out/synthetic-${edge}x${edge}.large.tiff"
    out="out/bench-e2e-$edge"
    rm -rf "$out"
    echo "end to end: tessera run $slide (threads $threads, batch $batch, tile $tile)"
    /usr/bin/time -v "$tessera" run "$slide" --model "$model" --out "$out" --threads "$threads" --batch "$batch" --tile "$tile" \
        --quiet --json > "$out.json" 2> "$out.time" || true
    python3 - "$out.json" "$out.time" out/bench-network.json <<'PY'
import json, re, sys
summary = json.load(open(sys.argv[1]))
time_log = open(sys.argv[2]).read()
rss_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", time_log).group(1))
wall = re.search(r"Elapsed \(wall clock\) time .*: (.*)", time_log).group(1)
slide = summary["slides"][0]
tiles = slide["tilesProcessed"]
infer = next(s for s in summary["stages"] if s["stage"] == "infer")
e2e = tiles / slide["seconds"]
try:
    network = json.load(open(sys.argv[3]))["tiles_per_second"]
except Exception:
    network = float("nan")
print(f"  tiles {tiles}, slide time {slide['seconds']:.1f} s, wall {wall}: {e2e:.2f} tiles/s end to end, "
      f"network alone {network:.2f} tiles/s, ratio {e2e / network:.2f}; peak RSS {rss_kib / 1024:.0f} MiB; "
      f"infer busy {infer['busySeconds']:.1f} s of {slide['seconds']:.1f} s")
PY
done
