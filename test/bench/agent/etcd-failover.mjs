#!/usr/bin/env node
// etcd-failover.mjs is the etcd side of `zx bench failover`: a closed-loop put load over etcd's
// three JSON-gateway endpoints, a SIGKILL of the leader via etcd-cluster.sh kill-leader after
// --kill-after seconds, and the same gap definition as zx's bench: from the moment the kill has
// been carried out (kill_ms printed by the script) to the first acknowledged put that was *started* after
// it. The killed member is restarted at the end (etcd-cluster.sh restart <name>).
//
// Usage: node etcd-failover.mjs [--clients 16] [--kill-after 3] [--duration 8] [--timeout 5000]
// Bounded: per-request timeout 5 s, run length --duration, restart bounded by timeout(1).
import http from 'node:http'
import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1] ?? 'true'])
  return acc
}, []))
const clients = Number(args.clients ?? 16)
const killAfterS = Number(args['kill-after'] ?? 3)
const durationS = Number(args.duration ?? 8)
const timeoutMs = Number(args.timeout ?? 5_000) // per-put client timeout; a put proposed while there is no leader hangs until it
const tool = '/work/shared/tools/etcd-cluster.sh'
const endpoints = ['http://127.0.0.1:2379', 'http://127.0.0.1:22379', 'http://127.0.0.1:32379'].map((u) => new URL(u))
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity })
const b64 = (s) => Buffer.from(s).toString('base64')

function put(ep, key, value) {
  const body = JSON.stringify({ key: b64(key), value: b64(value) })
  return new Promise((resolve) => {
    const req = http.request({ host: ep.hostname, port: ep.port, method: 'POST', path: '/v3/kv/put', agent, timeout: timeoutMs,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode === 200))
      res.on('error', () => resolve(false))
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', () => resolve(false))
    req.end(body)
  })
}

let killedAt = Infinity
let firstAck = Infinity
let ok = 0
let failed = 0
let next = 0
let end = Date.now() + 60_000 // reset after the kill; hard cap regardless

async function client(id) {
  while (Date.now() < end) {
    const ep = endpoints[next++ % endpoints.length]
    const started = Date.now()
    const good = await put(ep, `h10/failover/${id}/${next % 100}`, 'x'.repeat(100))
    const at = Date.now()
    if (good) { ok += 1; if (started >= killedAt && at < firstAck) firstAck = at } else { failed += 1; await new Promise((r) => setTimeout(r, 5)) }
  }
}

const running = Array.from({ length: clients }, (_, i) => client(i))
await new Promise((r) => setTimeout(r, killAfterS * 1000))
// Async so the load keeps running while the script finds the leader; kill_ms is the epoch ms
// the script took just before its SIGKILL, so the gap is counted from the kill itself.
const { stdout } = await promisify(execFile)(tool, ['kill-leader'], { encoding: 'utf8', timeout: 10_000 })
const killed = JSON.parse(stdout.trim().split('\n').pop())
killedAt = killed.kill_ms
end = Math.min(end, Date.now() + (durationS - killAfterS) * 1000)
await Promise.all(running)
const gapMs = Number.isFinite(firstAck) ? +(firstAck - killedAt).toFixed(1) : null
console.log(JSON.stringify({ target: 'etcd', killed: killed.name, failoverGapMs: gapMs, ok, failed, clients, timeoutMs }))
execFileSync('timeout', ['60', tool, 'restart', killed.name], { stdio: 'ignore' })
agent.destroy()
