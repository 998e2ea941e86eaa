#!/bin/sh
# Builds the heatmap benchmark optimised, straight from the module sources (no Package.swift target needed), and runs it.
# Usage: tools/heatmap-bench/run.sh [level0-width level0-height downsample]   (default 100000 80000 16)
set -e
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# One module: TesseraHeatmap's sources plus the TesseraCore types they use, without the cross-module imports.
for f in "$root"/Sources/TesseraHeatmap/*.swift "$root"/Sources/TesseraCore/Version.swift "$root"/Sources/TesseraCore/Geometry.swift; do
    sed '/^import TesseraCore$/d' "$f" > "$work/$(basename "$f")"
done
cp "$root/tools/heatmap-bench/main.swift" "$work/main.swift"
swiftc -O -module-name HeatmapBench -I "$root/Sources/CTIFF" -ltiff "$work"/*.swift -o "$work/heatmap-bench"
"$work/heatmap-bench" "$@"
