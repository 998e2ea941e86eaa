#!/usr/bin/env bash
# `tessera run` at fp32 and at int8 on the same large synthetic slide, alternating, in one session: tiles/s over the
# slide's time, the wall time (int8 on an fp32 model includes quantising it from the slide's tissue tiles first),
# how busy the infer stage was, and the stage table of each run.
#
#   tools/bench/end-to-end-precision.sh [SLIDE] [ROUNDS]     default out/synthetic-10000x10000.large.tiff, 2 rounds
#
# Environment: TESSERA (the release binary; default: build it), THREADS, BATCH, TILE, MODEL as tools/bench/end-to-end.sh.
# Each round runs fp32, int8 quantised on the fly (--precision int8), and the int8 file `tessera model quantize`
# wrote from the same slide (no calibration in the run), each into a fresh output folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
slide=${1:-out/synthetic-10000x10000.large.tiff}
rounds=${2:-2}
threads=${THREADS:-2}
batch=${BATCH:-4}
tile=${TILE:-512}
model=${MODEL:-Sources/TesseraPipeline/Resources/default.safetensors}
tessera=${TESSERA:-}
if [ -z "$tessera" ]; then
    swift build -c release --product tessera >/dev/null
    tessera="$(swift build -c release --show-bin-path)/tessera"
fi
[ -f "$slide" ] || tools/make-large-slide.sh "$slide" 10000 10000 >/dev/null
work=out/bench-precision
mkdir -p "$work"
int8_model="$work/default-int8.safetensors"
if [ ! -f "$int8_model" ]; then
    "$tessera" model quantize "$model" --calibrate "$slide" --tiles 64 --tile "$tile" --threads "$threads" --out "$int8_model" >&2
fi

run() {   # label, extra arguments...
    local label=$1; shift
    local out="$work/$label"
    rm -rf "$out"
    local started=$(date +%s.%N)
    "$tessera" run "$slide" --out "$out" --threads "$threads" --batch "$batch" --tile "$tile" --quiet --json "$@" \
        > "$out.json" 2> "$out.log" || true
    local ended=$(date +%s.%N)
    python3 - "$out.json" "$label" "$started" "$ended" <<'PY'
import json, sys
summary = json.load(open(sys.argv[1]))
label, wall = sys.argv[2], float(sys.argv[4]) - float(sys.argv[3])
slide = summary["slides"][0]
tiles, seconds = slide["tilesProcessed"], slide["seconds"]
infer = next(s for s in summary["stages"] if s["stage"] == "infer")
print(f"{label:<12} precision {summary.get('precision')}: {tiles} tiles, slide {seconds:.1f} s, "
      f"{tiles / seconds:.2f} tiles/s; wall {wall:.1f} s; infer busy {infer['busySeconds']:.1f} s "
      f"= {100 * infer['busySeconds'] / seconds:.0f}% of the slide's time")
for stage in summary["stages"]:
    print(f"    {stage['stage']:<7} {stage['items']:6d} busy {stage['busySeconds']:8.2f}  wait-in "
          f"{stage['waitingOnInputSeconds']:8.2f}  wait-out {stage['waitingOnOutputSeconds']:8.2f}")
PY
}

echo "tessera run $slide: threads $threads, batch $batch, tile $tile; $(grep -q -w avx512f /proc/cpuinfo && echo AVX-512 || echo no AVX-512)"
for round in $(seq 1 "$rounds"); do
    echo "== round $round (load: $(cut -d' ' -f1-3 /proc/loadavg))"
    run "fp32-$round" --model "$model"
    run "int8-fly-$round" --model "$model" --precision int8
    run "int8-file-$round" --model "$int8_model"
done
