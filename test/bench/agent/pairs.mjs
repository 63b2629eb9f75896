// zx vs etcd in alternating pairs with the neutral load generator (shared/tools/loadgen), so a
// ratio is taken from two runs seconds apart and the median of several pairs is quoted.
// Usage: node test/bench/agent/pairs.mjs --loadgen <dir of loadgen.mjs> --zx <urls> --etcd <urls>
//          [--pairs 5] [--duration 10] [--workloads put,get,lock]
// put/get: 64 clients (get = ?consistent vs etcd's linearizable range); lock: 8 clients on 4 names.
// Every run is bounded by loadgen itself (window + timeout + 15 s hard deadline).
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'

const { values: o } = parseArgs({
  options: {
    loadgen: { type: 'string' }, zx: { type: 'string' }, etcd: { type: 'string' },
    pairs: { type: 'string', default: '5' }, duration: { type: 'string', default: '10' },
    workloads: { type: 'string', default: 'put,get,lock' },
  },
})
if (!o.loadgen || !o.zx || !o.etcd) throw new Error('need --loadgen, --zx and --etcd')
const shapes = { put: ['--concurrency', '64'], get: ['--concurrency', '64'], lock: ['--concurrency', '8', '--locks', '4'] }
const run = (target, workload) => {
  const endpoints = target === 'etcd' ? o.etcd : o.zx
  const out = execFileSync(process.execPath, [join(o.loadgen, 'loadgen.mjs'), '--target', target === 'etcd' ? 'etcd' : 'consul', '--endpoints', endpoints,
    '--workload', workload, ...shapes[workload], '--duration', o.duration, '--json'], { encoding: 'utf8', timeout: (Number(o.duration) + 60) * 1000 })
  const r = JSON.parse(out)
  return { ops: r.throughput, p50: r.latencyMs.p50, p99: r.latencyMs.p99, errors: r.errors }
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2 }
const fmt = (n) => n.toFixed(1)

const summary = {}
for (const workload of o.workloads.split(',')) {
  const pairs = []
  for (let i = 0; i < Number(o.pairs); i++) {
    // Alternate who goes first so a drifting machine favours neither.
    const order = i % 2 === 0 ? ['zx', 'etcd'] : ['etcd', 'zx']
    const got = {}
    const load = loadavg()[0]
    for (const target of order) got[target] = run(target, workload)
    const ratio = got.zx.ops / got.etcd.ops
    pairs.push({ ...got, ratio, load })
    console.log(`${workload} pair ${i + 1} (${order.join(' then ')}, load ${load.toFixed(2)}): zx ${fmt(got.zx.ops)} ops/s p99 ${fmt(got.zx.p99)} ms err ${got.zx.errors} | etcd ${fmt(got.etcd.ops)} ops/s p99 ${fmt(got.etcd.p99)} ms err ${got.etcd.errors} | x${ratio.toFixed(2)}`)
  }
  summary[workload] = {
    ratioMedian: median(pairs.map((p) => p.ratio)), ratios: pairs.map((p) => Number(p.ratio.toFixed(2))),
    zxMedianOps: median(pairs.map((p) => p.zx.ops)), etcdMedianOps: median(pairs.map((p) => p.etcd.ops)),
    zxMedianP99: median(pairs.map((p) => p.zx.p99)), etcdMedianP99: median(pairs.map((p) => p.etcd.p99)),
  }
}
console.log(JSON.stringify(summary, null, 2))
