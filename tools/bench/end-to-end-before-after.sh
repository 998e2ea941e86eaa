#!/usr/bin/env bash
# Alternating end-to-end runs of two release builds of tessera on one slide, to compare a change with its base in
# the same session: /tmp/bench-before/tessera and /tmp/bench-after/tessera (copy each build's tessera and
# Tessera_TesseraPipeline.resources there).   tools/bench/end-to-end-before-after.sh SLIDE [ROUNDS]
set -u
slide=$1; rounds=${2:-2}
model=$(cd "$(dirname "$0")/../.." && pwd)/Sources/TesseraPipeline/Resources/default.safetensors
for round in $(seq 1 "$rounds"); do
  for which in before after; do
    out=/tmp/bench-out-$which-$round; rm -rf "$out"
    /usr/bin/time -v /tmp/bench-$which/tessera run "$slide" --model "$model" --out "$out" --threads 2 --batch 4 --tile 512 \
        --quiet --json > "$out.json" 2> "$out.time"
    python3 - "$which" "$round" "$out.json" "$out.time" <<'PY'
import json, re, sys
which, rnd, js, tm = sys.argv[1:]
s = json.load(open(js)); t = open(tm).read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
sl = s["slides"][0]
print(f"{which:6s} round {rnd}: tiles {sl['tilesProcessed']}, slide {sl['seconds']:.1f} s, {sl['tilesProcessed']/sl['seconds']:.2f} tiles/s, peak RSS {rss/1024:.0f} MiB")
PY
  done
done
