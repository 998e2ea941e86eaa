#!/usr/bin/env bash
# `tessera run` on the large synthetic slide with libgomp fully passive (OMP_WAIT_POLICY=passive) and with the CLI's
# bounded spin (OMP_WAIT_POLICY=passive GOMP_SPINCOUNT=N), at fp32 and with an int8 file, alternating, in one session:
# tiles/s over the slide's time and how busy the infer and read stages were.
#
#   tools/bench/wait-policy.sh [SLIDE] [ROUNDS]     default out/synthetic-10000x10000.large.tiff, 2 rounds
#
# Environment: TESSERA (the release binary; default: build it), TILE (256), SPIN (10000), THREADS (2), BATCH (4).
set -euo pipefail
cd "$(dirname "$0")/../.."
slide=${1:-out/synthetic-10000x10000.large.tiff}
rounds=${2:-2}
tile=${TILE:-256}
spin=${SPIN:-10000}
threads=${THREADS:-2}
batch=${BATCH:-4}
tessera=${TESSERA:-}
if [ -z "$tessera" ]; then
    swift build -c release --product tessera >/dev/null
    tessera="$(swift build -c release --show-bin-path)/tessera"
fi
[ -f "$slide" ] || tools/make-large-slide.sh "$slide" 10000 10000 >/dev/null
work=out/bench-wait-policy
mkdir -p "$work"
model=Sources/TesseraPipeline/Resources/default.safetensors
int8_model="$work/default-int8-$tile.safetensors"
[ -f "$int8_model" ] || "$tessera" model quantize "$model" --calibrate "$slide" --tiles 64 --tile "$tile" --out "$int8_model" >&2
for round in $(seq "$rounds"); do
    for policy in passive "spin $spin"; do
        for precision in fp32 int8; do
            out="$work/${policy// /-}-$precision"
            rm -rf "$out"
            [ "$precision" = fp32 ] && use="$model" || use="$int8_model"
            [ "$policy" = passive ] && spincount=() || spincount=(GOMP_SPINCOUNT="$spin")
            env OMP_WAIT_POLICY=passive "${spincount[@]}" "$tessera" run "$slide" --out "$out" --model "$use" --tile "$tile" \
                --threads "$threads" --batch "$batch" --quiet --json > "$out.json" 2> "$out.log" || true
            python3 - "$out.json" "round $round, $policy, $precision" <<'PY'
import json, sys
summary = json.load(open(sys.argv[1]))
slide = summary["slides"][0]
tiles, seconds = slide["tilesProcessed"], slide["seconds"]
busy = {stage["stage"]: stage["busySeconds"] for stage in summary["stages"]}
print(f"{sys.argv[2]:<28} {tiles} tiles in {seconds:.1f} s: {tiles / seconds:.2f} tiles/s; "
      f"infer busy {100 * busy['infer'] / seconds:.0f}%, read busy {busy['read']:.1f} s", flush=True)
PY
        done
    done
done
