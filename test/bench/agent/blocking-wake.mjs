#!/usr/bin/env node
// blocking-wake.mjs measures how fast parked watchers learn about a write, on zx (Consul-style
// blocking GET /v1/kv/<key>?index=N) and on etcd (v3 JSON gateway watch stream), with N watchers.
//
// Method: one writer PUTs the key with value = sequence number every --interval ms and records,
// per sequence number, when the PUT was sent and when it was acknowledged. Every watcher decodes
// the sequence number out of the answer that woke it, so each wake is matched to its own write
// (no index bookkeeping races). Reported: wake time minus the write's ack time (negative = the
// watcher woke before the writer saw its ack; the summary clamps at 0 and counts those) and wake
// time minus the write's send time (commit + notify + deliver, always ≥ 0).
//
// Hold mode (--hold): open the watchers, wait until they are parked, read the server's RSS from
// /proc/<pid>/status (--pid), then issue one write and time until every watcher has woken.
//
// Usage:
//   node blocking-wake.mjs --kind zx --addr http://127.0.0.1:30014 --watchers 16 --writes 100
//   node blocking-wake.mjs --kind etcd --addr http://127.0.0.1:32379 --watchers 1000 --writes 50
//   node blocking-wake.mjs --kind zx --addr http://127.0.0.1:30014 --watchers 10000 --hold --pid 123
// Bounded: every request has a timeout and the whole run a hard deadline (--deadline s).
import http from 'node:http'
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : 'true'])
  return acc
}, []))
const kind = args.kind ?? 'zx'
const base = new URL(args.addr ?? 'http://127.0.0.1:30014')
const watchers = Number(args.watchers ?? 16)
const writes = Number(args.writes ?? 100)
const intervalMs = Number(args.interval ?? 100)
const key = args.key ?? `h10/wake/${kind}-${process.pid}`
const hold = args.hold === 'true'
const deadlineS = Number(args.deadline ?? 120)
// --settle s: how long the watchers stay parked before the RSS reading (hold mode, default 3).
// --snap pid,pid: send SIGUSR2 to these pids once parked (agents started with
// NODE_OPTIONS=--heapsnapshot-signal=SIGUSR2 write a heap snapshot of the parked state).
const settleMs = Number(args.settle ?? 3) * 1000
// --after s: read the RSS once more this long after the wake (is the memory given back?).
const afterS = Number(args.after ?? 0)
const snapPids = (args.snap ?? '').split(',').filter((p) => p !== '').map(Number)
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity })
const hardStop = setTimeout(() => { console.error('deadline reached'); process.exit(2) }, deadlineS * 1000)

// zx (like Consul) caps concurrent connections per client IP (limits.http_max_conns_per_client,
// 200); with --per-ip N watcher i connects from loopback source address 127.0.1.<i / N>, so a
// large watcher population looks like many clients instead of one over-limit client.
const perIp = Number(args['per-ip'] ?? 0)
const sourceFor = (i) => (perIp > 0 && i !== undefined ? `127.0.${1 + Math.floor(i / perIp / 250)}.${1 + (Math.floor(i / perIp) % 250)}` : undefined)

const agents = new Map()
function agentFor(localAddress) {
  if (!agents.has(localAddress)) agents.set(localAddress, new http.Agent({ keepAlive: true, maxSockets: Infinity, localAddress }))
  return agents.get(localAddress)
}

function request(method, path, body, timeoutMs = 15_000, watcherIndex = undefined) {
  return new Promise((resolve, reject) => {
    const localAddress = sourceFor(watcherIndex)
    const req = http.request({ host: base.hostname, port: base.port, method, path, timeout: timeoutMs,
      agent: localAddress === undefined ? agent : agentFor(localAddress),
      headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString() }))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end(body)
  })
}

const b64 = (s) => Buffer.from(s).toString('base64')
const sentAt = new Map()
const ackAt = new Map()
const afterAck = []
const afterSend = []
let beforeAck = 0
let stop = false

function recordWake(seq, at) {
  if (!sentAt.has(seq)) return
  afterSend.push(at - sentAt.get(seq))
  const ack = ackAt.get(seq)
  if (ack === undefined || at < ack) { beforeAck += 1; afterAck.push(0) } else afterAck.push(at - ack)
}

async function put(seq) {
  sentAt.set(seq, performance.now())
  if (kind === 'zx') {
    const r = await request('PUT', `/v1/kv/${key}`, String(seq))
    if (r.status !== 200) throw new Error(`put ${r.status} ${r.text}`)
  } else {
    const r = await request('POST', '/v3/kv/put', JSON.stringify({ key: b64(key), value: b64(String(seq)) }))
    if (r.status !== 200) throw new Error(`put ${r.status} ${r.text}`)
  }
  ackAt.set(seq, performance.now())
}

async function zxWatcher(onParked, i) {
  const first = await request('GET', `/v1/kv/${key}`, undefined, 15_000, i)
  let index = Number(first.headers['x-consul-index'] ?? 0)
  let parked = false
  while (!stop) {
    const p = request('GET', `/v1/kv/${key}?index=${index}&wait=60s`, undefined, 70_000, i)
    if (!parked) { parked = true; onParked() }
    let r
    try { r = await p } catch { if (stop) return; await new Promise((res) => setTimeout(res, 50)); continue }
    const at = performance.now()
    const next = Number(r.headers['x-consul-index'] ?? 0)
    if (r.status === 200 && next > index) {
      const seq = Number(Buffer.from(JSON.parse(r.text)[0].Value ?? '', 'base64').toString())
      recordWake(seq, at)
      if (hold) return
    }
    index = Math.max(index, next)
  }
}

function etcdWatcher(onParked) {
  return new Promise((resolve) => {
    const body = JSON.stringify({ create_request: { key: b64(key) } })
    const req = http.request({ host: base.hostname, port: base.port, method: 'POST', path: '/v3/watch', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let buf = ''
      res.on('data', (c) => {
        const at = performance.now()
        buf += c.toString()
        let nl
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl); buf = buf.slice(nl + 1)
          if (!line.trim()) continue
          const msg = JSON.parse(line).result ?? {}
          if (msg.created) onParked()
          for (const ev of msg.events ?? []) recordWake(Number(Buffer.from(ev.kv?.value ?? '', 'base64').toString()), at)
          if (hold && (msg.events ?? []).length > 0) { req.destroy(); resolve() }
        }
      })
      res.on('end', resolve)
      res.on('error', resolve)
    })
    req.on('error', () => resolve())
    req.end(body)
    const poll = setInterval(() => { if (stop) { clearInterval(poll); req.destroy(); resolve() } }, 100)
  })
}

function rssMb(pid) {
  if (!pid) return undefined
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (name) => Number(status.match(new RegExp(`${name}:\\s+(\\d+)`))?.[1] ?? 0)
  return { rssMb: +(kb('VmRSS') / 1024).toFixed(1), hwmMb: +(kb('VmHWM') / 1024).toFixed(1) }
}

function pct(values, p) {
  if (values.length === 0) return NaN
  const s = [...values].sort((a, b) => a - b)
  return +s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))].toFixed(3)
}

const out0 = {}
async function main() {
  await put(0)
  let parked = 0
  const onParked = () => { parked += 1 }
  const rssBefore = rssMb(args.pid)
  const running = []
  for (let i = 0; i < watchers; i++) {
    running.push(kind === 'zx' ? zxWatcher(onParked, i) : etcdWatcher(onParked))
    if (i % 500 === 499) await new Promise((res) => setTimeout(res, 20))
  }
  const parkDeadline = performance.now() + 60_000
  while (parked < watchers && performance.now() < parkDeadline) await new Promise((res) => setTimeout(res, 50))
  await new Promise((res) => setTimeout(res, hold ? settleMs : 500)) // let the requests reach the server and park
  if (hold && snapPids.length > 0) {
    out0.rssAtSnap = rssMb(args.pid)
    for (const pid of snapPids) process.kill(pid, 'SIGUSR2')
    await new Promise((res) => setTimeout(res, settleMs))
  }
  const out = Object.assign(out0, { kind, addr: base.origin, watchers, parked })
  if (hold) {
    out.rssBeforeWatchers = rssBefore
    out.rssParked = rssMb(args.pid)
    const t0 = performance.now()
    await put(1)
    await Promise.race([Promise.allSettled(running), new Promise((res) => setTimeout(res, 30_000))])
    out.woken = afterSend.length
    out.allWokenAfterSendMs = +(performance.now() - t0).toFixed(1)
    out.rssAfterWake = rssMb(args.pid)
    if (afterS > 0) {
      await new Promise((res) => setTimeout(res, afterS * 1000))
      out[`rss${afterS}sAfterWake`] = rssMb(args.pid)
    }
  } else {
    for (let seq = 1; seq <= writes; seq++) {
      await put(seq)
      await new Promise((res) => setTimeout(res, intervalMs))
    }
    await new Promise((res) => setTimeout(res, 500))
  }
  stop = true
  out.wakes = afterSend.length
  out.expectedWakes = hold ? watchers : watchers * writes
  out.beforeAck = beforeAck
  out.wakeAfterAckMs = { p50: pct(afterAck, 50), p90: pct(afterAck, 90), p99: pct(afterAck, 99), max: pct(afterAck, 100) }
  out.wakeAfterSendMs = { p50: pct(afterSend, 50), p90: pct(afterSend, 90), p99: pct(afterSend, 99), max: pct(afterSend, 100) }
  console.log(JSON.stringify(out))
  clearTimeout(hardStop)
  agent.destroy()
  for (const a of agents.values()) a.destroy()
  process.exit(0)
}

main().catch((err) => { console.error(err); process.exit(1) })
