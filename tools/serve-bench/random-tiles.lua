-- wrk script for tools/serve-bench/run.sh: every request asks for a tile drawn at random from a list of Deep Zoom
-- tile paths (one "LEVEL/COLUMN_ROW.jpeg" a line), under the prefix given after "--".
-- Usage: wrk ... -s random-tiles.lua URL -- TILES_FILE PREFIX
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  prefix = args[2]
  -- A different sequence per thread (wrk starts every thread's Lua state alike).
  math.randomseed(1000 + id * 7919)
end

function request()
  return wrk.format("GET", prefix .. paths[math.random(#paths)])
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("RESULT requests=%d seconds=%.2f tiles_per_s=%.1f p50_ms=%.2f p99_ms=%.2f " ..
    "non2xx=%d socket_errors=%d bytes=%d\n", summary.requests, summary.duration / 1e6,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout, summary.bytes))
end
