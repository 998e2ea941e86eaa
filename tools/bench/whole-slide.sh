#!/usr/bin/env bash
# A whole slide end to end (issue 29): `tessera run` with its defaults on one large slide, next to the network alone
# (`tessera model bench`, the run's tile size, batch and threads, at both precisions) measured in the same session.
#
#   tools/bench/whole-slide.sh SLIDE [RUN OPTIONS...]     e.g. out/synthetic-53280x47472.large.tiff (2.5 GP:
#                                                          tools/make-large-slide.sh out/synthetic-53280x47472.large.tiff 53280 47472)
#
# TESSERA (default: the release build's binary), THREADS (2), BATCH (4), TILE (256: the bundled model's tile).
# Prints the network's tiles/s and GMAC/s alone, then the run's wall time, tiles/s, its ratio to the network alone at
# the precision the run chose, the run's GMAC/s, each stage's busy time and the peak RSS (GNU time).
set -euo pipefail
cd "$(dirname "$0")/../.."
slide=${1:?usage: tools/bench/whole-slide.sh SLIDE [RUN OPTIONS...]}
shift
threads=${THREADS:-2}
batch=${BATCH:-4}
tile=${TILE:-256}
model=Sources/TesseraPipeline/Resources/default.safetensors
tessera=${TESSERA:-$(swift build -c release --show-bin-path)/tessera}
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }
name=$(basename "$slide" .tiff)
out=out/bench-whole-$name
mkdir -p out

for precision in fp32 int8; do
    echo "network alone: tessera model bench --precision $precision --batch $batch --size $tile --threads $threads --seconds 60"
    "$tessera" model bench "$model" --precision "$precision" --batch "$batch" --size "$tile" --threads "$threads" \
        --seconds 60 --json 2>/dev/null > "out/bench-network-$precision.json"
done

rm -rf "$out"
echo "end to end: tessera run $slide --threads $threads --batch $batch --tile $tile $*"
/usr/bin/time -v "$tessera" run "$slide" --out "$out" --threads "$threads" --batch "$batch" --tile "$tile" --quiet --json "$@" \
    > "$out.json" 2> "$out.time"

tools/.venv/bin/python - "$out.json" "$out.time" out/bench-network-fp32.json out/bench-network-int8.json "$out/results.sqlite" <<'PY'
import json, re, sqlite3, sys
summary = json.load(open(sys.argv[1]))
time_log = open(sys.argv[2]).read()
network = {p: json.load(open(f)) for p, f in (("fp32", sys.argv[3]), ("int8", sys.argv[4]))}
for p, n in network.items():
    print(f"  network alone {p}: {n['tiles_per_second']:.2f} tiles/s, {n['gmac_per_second']:.1f} GMAC/s "
          f"({n['gmac_per_tile']:.3f} GMAC a tile), {n['cpu_seconds_per_tile'] * 1000:.0f} ms CPU a tile")
rss_mib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", time_log).group(1)) / 1024
wall = re.search(r"Elapsed \(wall clock\) time .*: (.*)", time_log).group(1)
cpu = float(re.search(r"User time \(seconds\): ([\d.]+)", time_log).group(1)) + \
      float(re.search(r"System time \(seconds\): ([\d.]+)", time_log).group(1))
slide = summary["slides"][0]
tiles = slide["tilesProcessed"]
db = sqlite3.connect(sys.argv[5])
parameters = json.loads(db.execute("SELECT parameters_json FROM runs ORDER BY rowid DESC LIMIT 1").fetchone()[0])
def find(node, key):
    if isinstance(node, dict):
        if key in node and isinstance(node[key], str): return node[key]
        for value in node.values():
            if (found := find(value, key)) is not None: return found
    return None
precision = find(parameters, "precision") or "fp32"
alone = network.get(precision, network["fp32"])
rate = tiles / slide["seconds"]
print(f"  run: precision {precision}, {tiles} tiles in {slide['seconds']:.1f} s (wall {wall}, CPU {cpu:.0f} s): "
      f"{rate:.2f} tiles/s, {rate / alone['tiles_per_second']:.2f}x the network alone at {precision}, "
      f"{rate * alone['gmac_per_tile']:.1f} GMAC/s; peak RSS {rss_mib:.0f} MiB")
for stage in summary["stages"]:
    print(f"    {stage['stage']:<10} busy {stage['busySeconds']:.1f} s")
PY
