/**
 * test/bench/dns/load.ts: a small UDP DNS load tool (node:dgram). It keeps `window` queries in
 * flight against one server for `durationMs` (bounded also by `countMax`), cycling through the
 * given names, and prints one JSON line: answered queries, timeouts, queries/s and latency
 * percentiles. Usage: node load.js <port> <durationMs> <window> <countMax> <name,type>...
 */
import { createSocket } from 'node:dgram'
import { performance } from 'node:perf_hooks'
import * as packet from 'dns-packet'

const [portText, durationText, windowText, countText, ...questions] = process.argv.slice(2)
const port = Number(portText)
const durationMs = Number(durationText ?? 10_000)
const window = Number(windowText ?? 32)
const countMax = Number(countText ?? 1_000_000)
const timeoutMs = 1_000
const names = (questions.length > 0 ? questions : ['web.service.consul,A']).map((q) => {
  const [name, type] = q.split(',')
  return { name: name!, type: (type ?? 'A') as 'A' }
})

const encoded = names.map((question) => packet.encode({ type: 'query', id: 0, flags: packet.RECURSION_DESIRED, questions: [question] }))
const socket = createSocket('udp4')
const inflight = new Map<number, number>()
const latencies: number[] = []
let sent = 0
let timeouts = 0
let nextId = 0
let errors = 0
const started = performance.now()
let done = false

function send(): void {
  if (done || sent >= countMax || performance.now() - started >= durationMs) return
  let id = nextId = (nextId + 1) & 0xffff
  while (inflight.has(id)) id = nextId = (nextId + 1) & 0xffff
  // Queries are encoded once; only the id changes, so the load tool spends little CPU itself.
  const query = Buffer.from(encoded[sent % encoded.length]!)
  query.writeUInt16BE(id, 0)
  inflight.set(id, performance.now())
  sent++
  socket.send(query, port, '127.0.0.1')
}

socket.on('message', (message) => {
  if (message.length < 12) return
  const id = message.readUInt16BE(0)
  const at = inflight.get(id)
  if (at === undefined) return
  inflight.delete(id)
  if ((message.readUInt16BE(2) & 0xf) !== 0) errors++
  latencies.push(performance.now() - at)
  send()
})

const sweeper = setInterval(() => {
  const now = performance.now()
  for (const [id, at] of inflight) if (now - at > timeoutMs) { inflight.delete(id); timeouts++; send() }
  if (now - started >= durationMs + timeoutMs || (sent >= countMax && inflight.size === 0)) finish()
}, 50)

function finish(): void {
  if (done) return
  done = true
  clearInterval(sweeper)
  socket.close()
  const elapsed = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  const pct = (p: number): number => latencies.length === 0 ? NaN : latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!
  console.log(JSON.stringify({
    answered: latencies.length, timeouts, rcodeErrors: errors, seconds: Number(elapsed.toFixed(2)),
    qps: Math.round(latencies.length / Math.min(elapsed, durationMs / 1000)),
    p50ms: Number(pct(0.5).toFixed(3)), p99ms: Number(pct(0.99).toFixed(3)), maxMs: Number(pct(1).toFixed(3)),
  }))
}

socket.bind(0, '127.0.0.1', () => { for (let i = 0; i < window; i++) send() })
