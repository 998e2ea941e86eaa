#!/usr/bin/env bash
# Load test of `tessera serve` next to openslide-python's DeepZoom example server (deepzoom_server.py, Flask) on
# the same slide, in the same run: wrk with C connections fetching random Deep Zoom tiles (uniform over every tile
# of every level; tools/serve-bench/tile-list.py) for S seconds per round, rounds alternating between the servers.
# Prints tiles/s, p50/p99 latency, non-2xx answers and socket errors per round and each server's peak RSS.
#
#   tools/serve-bench/run.sh SLIDE [SECONDS=30] [CONNECTIONS=8] [ROUNDS=2]
#
# Needs: a release build (swift build -c release --product tessera), wrk (apt-get install wrk), and in tools/.venv
# the packages of tools/requirements-serve-bench.txt. Fetches openslide-python's sdist (pip download) into the work
# directory for deepzoom_server.py; nothing fetched is kept.
set -euo pipefail
cd "$(dirname "$0")/../.."
slide=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
seconds=${2:-30}; connections=${3:-8}; rounds=${4:-2}
tessera=${TESSERA:-$(swift build -c release --show-bin-path)/tessera}
python=tools/.venv/bin/python
work=$(mktemp -d "${TMPDIR:-/tmp}/tessera-serve-bench.XXXXXX")
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

(cd "$work" && "$OLDPWD/tools/.venv/bin/pip" download -q --no-binary :all: --no-deps openslide-python==1.4.7 \
  && tar xzf openslide_python-1.4.7.tar.gz)
peer="$work/openslide_python-1.4.7/examples/deepzoom/deepzoom_server.py"

# A results file that records the slide (coarse settings: the viewer only needs the slide run).
"$tessera" run "$slide" --out "$work/out" --mpp 8 --tile 128 --overlap 16 --no-heatmaps --quiet > /dev/null
id=$("$tessera" query "$work/out/results.sqlite" "SELECT id FROM slide_runs" --format csv | sed -n 2p | tr -d '\r')
"$python" tools/serve-bench/tile-list.py "$slide" 200000 "$work/tiles.txt"

wait_port() { for _ in $(seq 1 300); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
peak_rss() { awk '/VmHWM/ { printf "%.0f MiB", $2 / 1024 }' "/proc/$1/status"; }

started=""
start_tessera() { # $1 port, $2 cache MiB; sets $started to the pid
  "$tessera" serve "$work/out" --port "$1" --cache-mb "$2" > /dev/null 2> "$work/tessera-$1.err" &
  started=$!; pids+=("$started"); wait_port "http://127.0.0.1:$1/slides/$id/slide.dzi"
}
"$python" "$peer" --port 18701 "$slide" > /dev/null 2> "$work/peer.err" &
peer_pid=$!; pids+=("$peer_pid"); wait_port "http://127.0.0.1:18701/slide.dzi"
start_tessera 18702 256; tessera_pid=$started
start_tessera 18703 0; uncached_pid=$started

load() { # $1 name, $2 base URL, $3 prefix
  local line
  line=$(wrk -t 2 -c "$connections" -d "${seconds}s" --timeout 30s --latency -s tools/serve-bench/random-tiles.lua \
    "$2" -- "$work/tiles.txt" "$3" | grep '^RESULT')
  printf '%-34s %s\n' "$1" "${line#RESULT }"
}
echo "slide: $slide; $connections connections, ${seconds} s a round, $(nproc) CPUs; $(grep -o -w -m1 avx512f /proc/cpuinfo || echo no-avx512)"
for round in $(seq 1 "$rounds"); do
  load "tessera serve (cache 256 MiB) #$round" "http://127.0.0.1:18702" "/slides/$id/slide_files/"
  load "deepzoom_server.py #$round" "http://127.0.0.1:18701" "/slide_files/"
  load "tessera serve (no cache) #$round" "http://127.0.0.1:18703" "/slides/$id/slide_files/"
done
echo "peak RSS: tessera serve (cache) $(peak_rss "$tessera_pid"), tessera serve (no cache) $(peak_rss "$uncached_pid"), deepzoom_server.py $(peak_rss "$peer_pid")"
curl -s "http://127.0.0.1:18702/api/stats"; echo
