#!/usr/bin/env bash
# Time and peak RSS of `tessera export geojson` (release build) on large slides, next to `tessera run`'s time for the
# same slides measured in the same session.
#
#   tools/bench/geojson-export.sh          (TESSERA=path/to/release/tessera and TESSERA_DEV=path/to/release/tessera-dev
#                                          to skip the build)
#
# 1. `tessera run` on the 20,000² synthetic slide (tools/make-large-slide.sh; tile 512, batch 4, 2 threads, as in the
#    end-to-end benchmark): its tiles/s, and real class maps of a 20,000² slide to export.
# 2. The maps of larger slides without hours of inference: `tessera-dev synthetic-results` repeats the fixture
#    slide's real class and probability maps (a default-settings run, d = 8) as a mosaic over 10,000², 20,000² and
#    50,000 x 40,000 slides and writes them through the real writers (ResultsStore rows, HeatmapWriter TIFFs).
# 3. Each export (regions, tiles, both) under /usr/bin/time -v. A slide's run time is its planned tiles
#    (`tessera plan` on the synthetic slide of that size) divided by the tiles/s of step 1.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${TESSERA:-}" ] || [ -z "${TESSERA_DEV:-}" ]; then
    swift build -c release --product tessera >/dev/null
    swift build -c release --product tessera-dev >/dev/null
    TESSERA="${TESSERA:-$(swift build -c release --show-bin-path)/tessera}"
    TESSERA_DEV="${TESSERA_DEV:-$(swift build -c release --show-bin-path)/tessera-dev}"
fi
tessera=$TESSERA
tessera_dev=$TESSERA_DEV
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }
work=out/bench-geojson
mkdir -p "$work"
for size in 10000x10000 20000x20000 50000x40000; do
    slide="out/synthetic-$size.large.tiff"
    [ -f "$slide" ] || tools/make-large-slide.sh "$slide" "${size%x*}" "${size#*x}" >/dev/null
done

echo "== tessera run out/synthetic-20000x20000.large.tiff (tile 512, batch 4, threads 2)"
rm -rf "$work/run-20000"
/usr/bin/time -v "$tessera" run out/synthetic-20000x20000.large.tiff --out "$work/run-20000" --tile 512 --batch 4 \
    --threads 2 --quiet --json > "$work/run-20000.json" 2> "$work/run-20000.time"
rate=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["slides"][0]; print(s["tilesProcessed"]/s["seconds"])' "$work/run-20000.json")
echo "run: $rate tiles/s"

rm -rf "$work/source"
"$tessera" run fixtures/slides/CMU-1-Small-Region.svs --out "$work/source" --quiet >/dev/null
for size in 10000x10000 20000x20000 50000x40000; do
    rm -rf "$work/synthetic-$size"
    "$tessera_dev" synthetic-results "$work/source/results.sqlite" --out "$work/synthetic-$size" \
        --width "${size%x*}" --height "${size#*x}" >/dev/null
done

measure() { # label results-file planned-tiles objects
    local label=$1 results=$2 tiles=$3 objects=$4 dir="$work/export-$1-$4"
    rm -rf "$dir"
    /usr/bin/time -v "$tessera" export geojson "$results" --out "$dir" --objects "$objects" --json \
        > "$dir.json" 2> "$dir.time"
    python3 - "$dir.json" "$dir.time" "$tiles" "$rate" "$label" "$objects" <<'PY'
import json, re, sys
summary = json.load(open(sys.argv[1]))["slides"][0]
log = open(sys.argv[2]).read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", log).group(1)) / 1024
wall = re.search(r"Elapsed \(wall clock\) time .*: (.*)", log).group(1)
minutes, seconds = wall.split(":")[-2:]
wall_s = int(minutes) * 60 + float(seconds)
tiles, rate = int(sys.argv[3]), float(sys.argv[4])
run_s = tiles / rate
regions = sum(c["regions_written"] for c in summary["classes"])
print(f"{sys.argv[5]:>24} {sys.argv[6]:>7}: {wall_s:6.2f} s, peak RSS {rss:5.0f} MiB, {regions} regions, "
      f"{summary['tiles']} tiles, {summary['bytes'] / 1e6:.1f} MB; run {tiles} tiles / {rate:.2f} tiles/s = {run_s:.0f} s; "
      f"export = {100 * wall_s / run_s:.2f}% of the run")
PY
}
planned() { "$tessera" plan "out/synthetic-$1.large.tiff" --tile 512 --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["plan"]["tiles"]))'; }
tiles20=$(planned 20000x20000)
for objects in regions tiles both; do
    measure "real-20000x20000" "$work/run-20000/results.sqlite" "$tiles20" "$objects"
done
for size in 10000x10000 20000x20000 50000x40000; do
    tiles=$(planned "$size")
    for objects in regions tiles both; do
        measure "mosaic-$size" "$work/synthetic-$size/results.sqlite" "$tiles" "$objects"
    done
done
