#!/usr/bin/env bash
# test/bench/dns/run.sh: bundle the catalog/DNS benchmark with esbuild and run it.
# Output goes to stdout; copy the figures into RESULTS.md with the date and machine.
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=node_modules/.cache/zx-dns-bench
npx esbuild test/bench/dns/bench.ts test/bench/dns/load.ts --bundle --platform=node --format=esm \
  --packages=external --outdir="$out" --log-level=warning
node "$out/bench.js" "$@"
