// Lab kit figures on this machine: `cluster up` (process runtime) to leader elected,
// `chaos kill-leader` → new leader (5 rounds), `zx kv get` start-to-exit (hyperfine).
// Usage: npm run build && node test/bench/labkit/run.mjs [--docker]
// Uses ports 25400+ (process) or the seed ports (docker) and an isolated ZX_HOME; cleans up.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const docker = process.argv.includes('--docker')
const home = mkdtempSync(join(tmpdir(), 'zx-bench-'))
const env = { ...process.env, ZX_HOME: home }
const runtime = docker ? ['--runtime', 'docker'] : ['--runtime', 'process', '--base-port', '25400']
const zx = (args, timeout = 300_000) => {
  const started = Date.now()
  const r = spawnSync(process.execPath, [join(root, 'bin/run.js'), ...args], { env, encoding: 'utf8', timeout })
  return { code: r.status, out: r.stdout, err: r.stderr, ms: Date.now() - started }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

try {
  // cluster up from nothing, three times (down --volumes in between): wall and the command's own timings.
  const ups = []
  for (let i = 0; i < 3; i++) {
    if (i > 0) zx(['cluster', 'down', ...runtime.slice(0, 2), '--volumes'])
    const up = zx(['cluster', 'up', ...runtime, '--timeout', '120', '--json'])
    if (up.code !== 0) throw new Error(`cluster up failed: ${up.err}`)
    ups.push({ wallMs: up.ms, ...JSON.parse(up.out).timings })
  }
  const firstLeader = JSON.parse(zx(['cluster', 'status', ...runtime.slice(0, 2), '--json']).out).leader
  const rounds = []
  for (let i = 0; i < 5; i++) {
    const k = zx(['chaos', 'kill-leader', ...runtime.slice(0, 2), '--json'])
    if (k.code !== 0) throw new Error(`kill-leader failed: ${k.err}`)
    const r = JSON.parse(k.out)
    rounds.push(r)
    zx(['cluster', 'start', ...runtime.slice(0, 2), r.oldLeader])
    const back = zx(['cluster', 'up', ...runtime.slice(0, 2), '--timeout', '120'])
    if (back.code !== 0) throw new Error(`cluster did not recover: ${back.err}`)
  }
  zx(['kv', 'put', 'eleven', '11'])
  const http = JSON.parse(zx(['ui', '--json']).out).url.replace(/\/ui\/$/, '')
  const hf = join(home, 'hyperfine.json')
  execFileSync('hyperfine', ['-N', '-w', '3', '-r', '20', '--export-json', hf, `${process.execPath} ${join(root, 'bin/run.js')} kv get eleven --http-addr ${http}`], { env, stdio: 'ignore' })
  const kvGet = JSON.parse(execFileSync('cat', [hf], { encoding: 'utf8' })).results[0]
  console.log(JSON.stringify({
    runtime: docker ? 'docker' : 'process',
    clusterUp: ups, firstLeader,
    upMedian: Object.fromEntries(Object.keys(ups[0]).map((k) => [k, median(ups.map((u) => u[k]))])),
    killLeader: rounds.map((r) => ({ old: r.oldLeader, new: r.newLeader, term: r.newTerm, electionMs: r.electionMs, firstWriteMs: r.firstWriteMs })),
    electionMedianMs: median(rounds.map((r) => r.electionMs)), firstWriteMedianMs: median(rounds.map((r) => r.firstWriteMs)),
    kvGetMeanMs: Math.round(kvGet.mean * 1000), kvGetMedianMs: Math.round(kvGet.median * 1000), kvGetMinMs: Math.round(kvGet.min * 1000),
  }, null, 2))
} finally {
  zx(['cluster', 'down', ...runtime.slice(0, 2), '--volumes'])
  rmSync(home, { recursive: true, force: true })
}
