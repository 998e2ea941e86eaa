#!/bin/bash
# Alternating rounds: fp32; int8 with oneDNN's 1x1s; int8 with Tessera's 1x1s (depthwise: Tessera's, the default on
# this kind, in both). Usage: bench.sh BIN SIZE ROUNDS SECONDS
BIN=$1; SIZE=$2; ROUNDS=${3:-3}; SECS=${4:-5}
M=fixtures/models/default.safetensors; Q=/tmp/int8bench/default-int8.safetensors; T=/tmp/int8bench/tiles$SIZE.npy
for r in $(seq 1 $ROUNDS); do
  for v in fp32 int8-onednn int8-tessera; do
    case $v in
      fp32) out=$($BIN model bench $M --precision fp32 --size $SIZE --batch 4 --threads 2 --seconds $SECS --tiles $T --json);;
      int8-onednn) out=$(TESSERA_INT8_POINTWISE=onednn $BIN model bench $Q --size $SIZE --batch 4 --threads 2 --seconds $SECS --tiles $T --json);;
      int8-tessera) out=$(TESSERA_INT8_POINTWISE=tessera $BIN model bench $Q --size $SIZE --batch 4 --threads 2 --seconds $SECS --tiles $T --json);;
    esac
    echo "$r $v $(echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.2f tiles/s cpu %.1f ms/tile" % (d["tiles_per_second"], 1000*d["cpu_seconds_per_tile"]))') load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
