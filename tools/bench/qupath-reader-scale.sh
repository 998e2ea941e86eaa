#!/usr/bin/env bash
# How objects, GeoJSON size and QuPath's reader heap grow with slide area (BENCHMARKS.md, issue 25).
#
#   tools/bench/qupath-reader-scale.sh [SIZE...]     (default 10000x10000 20000x20000 50000x50000;
#                                                     TESSERA and TESSERA_DEV name binaries already built)
#
# 1. `tessera run` on the fixture slide (default settings, d = 8), then `tessera-dev synthetic-results` repeats its
#    real class and probability maps as a mosaic over each slide size (the GeoJSON export benchmark's method).
# 2. `tessera export geojson --objects both` (nuclei detections, stroma annotations, tiles) of each, as one file and
#    in parts of 50,000 objects (`--objects-per-file 50000`, the default of `tessera export qupath`).
# 3. QuPath 0.5.1's own reader (tools/qupath-reader: PathIO.readObjects) on each file with a 1 GB heap
#    (java -Xmx1g; QUPATH_READER_HEAP to change it): objects per type, read time, the heap the imported objects hold
#    (after two System.gc()) and the heap pools' peak; a file that does not fit is reported as OutOfMemoryError.
set -euo pipefail
cd "$(dirname "$0")/../.."
tessera="${TESSERA:-$(swift build --show-bin-path)/tessera}"
tessera_dev="${TESSERA_DEV:-$(swift build --show-bin-path)/tessera-dev}"
sizes=("$@")
((${#sizes[@]})) || sizes=(10000x10000 20000x20000 50000x50000)
work=out/bench-qupath-reader
mkdir -p "$work"
[ -f "$work/source/results.sqlite" ] || "$tessera" run fixtures/slides/CMU-1-Small-Region.svs --out "$work/source" --quiet > /dev/null
tools/qupath-reader/build.sh > /dev/null
printf '%-17s %10s %10s %10s %8s %9s %9s %10s %10s\n' slide gigapixels objects detections tiles "file MB" "read s" "live MiB" "peak MiB"
for size in "${sizes[@]}"; do
  w=${size%x*} h=${size#*x}
  [ -f "$work/s$size/results.sqlite" ] || "$tessera_dev" synthetic-results "$work/source/results.sqlite" \
      --out "$work/s$size" --width "$w" --height "$h" > /dev/null
  # One file, then parts of 50,000 objects (tessera export qupath's default), each read as one import.
  for form in one parts; do
    rm -rf "$work/g$size-$form"
    per_file=0; [ "$form" = parts ] && per_file=50000
    "$tessera" export geojson "$work/s$size/results.sqlite" --out "$work/g$size-$form" --objects both \
        --objects-per-file "$per_file" --json > /dev/null
    if tools/qupath-reader/run objects "$work/g$size-$form" > "$work/read-$size-$form.json" 2> "$work/read-$size-$form.err"; then
      python3 - "$work/read-$size-$form.json" "$size" "$form" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
w, h = map(int, sys.argv[2].split("x"))
count = lambda t: sum(g["count"] for g in d["types"].get(t, {}).values())
size = sum(os.path.getsize(f) for f in d["files"])
print(f"{sys.argv[2] + ' ' + sys.argv[3]:<17} {w * h / 1e9:10.2f} {d['objects']:10,} {count('detection'):10,} "
      f"{count('tile'):8,} {size / 1e6:9.1f} {d['read_seconds']:9.1f} {d['heap_live_bytes'] / 2**20:10.0f} "
      f"{d['heap_peak_bytes'] / 2**20:10.0f}")
PY
    else
      echo "$size $form: QuPath's reader failed with a ${QUPATH_READER_HEAP:-1g} heap: $(grep -o 'OutOfMemoryError[^"]*' "$work/read-$size-$form.err" | head -1)"
    fi
  done
done
