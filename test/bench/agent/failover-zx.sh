#!/usr/bin/env bash
# failover-zx.sh N — run `zx bench failover` N times against the process lab cluster "bench"
# (ZX_HOME must point at it), restarting the killed server and waiting for a leader after each run.
set -euo pipefail
cd "$(dirname "$0")/../../.."
N=${1:-5}; OUT=test/bench/agent/out
Z=http://127.0.0.1:30004,http://127.0.0.1:30014,http://127.0.0.1:30024
for i in $(seq 1 "$N"); do
  f=$OUT/06-failover-run$i.txt
  uptime > "$f"
  timeout 90 node bin/run.js bench failover --cluster bench -c 16 --duration 8 --kill-after 3 --endpoints $Z --prefix h10/ >> "$f" 2>&1 || true
  killed=$(grep -o 'killed=node[0-9]' "$f" | cut -d= -f2 || true)
  [ -n "$killed" ] && timeout 60 node bin/run.js cluster start "$killed" --cluster bench >> "$f" 2>&1 || true
  sleep 6
  grep -o 'failoverGapMs=[0-9]*' "$f" || echo "run $i: no gap"
done
