#!/usr/bin/env node
// cpuprof-top.mjs summarises a V8 .cpuprofile (node --cpu-prof): self time per function over the
// busiest window of --window seconds (default 10, the bench run), plus a per-file rollup.
// Usage: node cpuprof-top.mjs FILE [--window 10] [--top 25]
import { readFileSync } from 'node:fs'

const file = process.argv[2]
const opt = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : dflt }
const windowUs = opt('window', 10) * 1e6
const top = opt('top', 25)
const prof = JSON.parse(readFileSync(file, 'utf8'))
const byId = new Map(prof.nodes.map((n) => [n.id, n]))
const idle = new Set(prof.nodes.filter((n) => ['(idle)', '(program)'].includes(n.callFrame.functionName)).map((n) => n.id))
// sample timestamps
const times = []; let t = prof.startTime
for (const d of prof.timeDeltas) { t += d; times.push(t) }
// busiest window: maximise non-idle samples (two pointers)
let best = [0, 0, -1]; let busy = 0; let lo = 0
for (let hi = 0; hi < times.length; hi++) {
  if (!idle.has(prof.samples[hi])) busy++
  while (times[hi] - times[lo] > windowUs) { if (!idle.has(prof.samples[lo])) busy--; lo++ }
  if (busy > best[2]) best = [lo, hi, busy]
}
const self = new Map(); const perFile = new Map(); let total = 0
for (let i = best[0]; i <= best[1]; i++) {
  const dt = (times[i + 1] ?? times[i]) - times[i]
  const n = byId.get(prof.samples[i]); const cf = n.callFrame
  const name = `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*\/work\/main\//, '')}:${cf.lineNumber + 1}`
  self.set(name, (self.get(name) ?? 0) + dt); total += dt
  const f = cf.url ? cf.url.replace(/^.*\/work\/main\//, '').replace(/^node:.*/, 'node: (core)') : cf.functionName
  perFile.set(f, (perFile.get(f) ?? 0) + dt)
}
const show = (m) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => `${(100 * v / total).toFixed(1).padStart(5)}%  ${(v / 1e3).toFixed(0).padStart(6)} ms  ${k}`).join('\n')
console.log(`window ${((times[best[1]] - times[best[0]]) / 1e6).toFixed(1)} s, busy ${(100 * best[2] / (best[1] - best[0] + 1)).toFixed(0)}% of samples\n-- self time by function --\n${show(self)}\n-- self time by file --\n${show(perFile)}`)
