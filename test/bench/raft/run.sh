#!/usr/bin/env bash
# test/bench/raft/run.sh: bundle the Raft benchmarks (bench.ts, catchup.ts, soak.ts + server.ts) with esbuild
# and run one: `run.sh` (throughput + failover) or `run.sh catchup` (snapshot catch-up) or `run.sh soak`.
# Output goes to stdout; copy the table into RESULTS.md with the date and machine.
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=node_modules/.cache/zx-raft-bench-$$
npx esbuild test/bench/raft/bench.ts test/bench/raft/catchup.ts test/bench/raft/soak.ts test/bench/raft/server.ts --bundle --platform=node \
  --format=esm --packages=external --outdir="$out" --log-level=warning
trap 'rm -rf "$out"' EXIT
node "$out/${1:-bench}.js"
