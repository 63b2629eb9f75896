/**
 * agent/gossip/sim/report.ts: renders the spread measurements for `zx sim gossip`: a text table
 * that sets the seed's claimed rounds next to log_fanout(N) and the measured mean and p99, with
 * a note wherever the seed's figure is not the formula's value, and an SVG plot of rounds vs N.
 */
import type { SpreadRow } from './spread.js'

/** seedClaims are the seed's figures for fanout 4: rounds to reach all of N nodes. */
export const seedClaims: Record<number, number> = { 20: 2.16, 40: 2.66, 80: 3.16, 160: 3.44, 320: 4.16 }

/** seedNote says whether the seed's figure for N matches log_fanout(N) to 2 decimals. */
export function seedNote(nodes: number, fanout: number): string {
  const claim = fanout === 4 ? seedClaims[nodes] : undefined
  if (claim === undefined) return ''
  const formula = Math.log(nodes) / Math.log(fanout)
  return Math.abs(claim - formula) < 0.006
    ? `seed ${claim.toFixed(2)} = log${fanout}(${nodes})`
    : `seed ${claim.toFixed(2)} is off: log${fanout}(${nodes}) = ${formula.toFixed(2)}`
}

function fmt(value: number): string {
  return Number.isNaN(value) ? '—' : value.toFixed(2)
}

/** spreadTable renders rows (pairs of loss 0 and loss > 0 per N) as aligned text. */
export function spreadTable(rows: SpreadRow[]): string {
  const lines = ['N      fanout  loss   log_f(N)  mean rounds  p99 rounds  complete  note']
  for (const r of rows) {
    lines.push([
      String(r.nodes).padEnd(6), String(r.fanout).padEnd(7), `${(r.loss * 100).toFixed(0)}%`.padEnd(6),
      fmt(r.formula).padEnd(9), fmt(r.meanRounds).padEnd(12), fmt(r.p99Rounds).padEnd(11),
      `${(r.complete * 100).toFixed(0)}%`.padEnd(9), r.loss === 0 ? seedNote(r.nodes, r.fanout) : '',
    ].join(' ').trimEnd())
  }
  return lines.join('\n')
}

/** spreadSvg plots mean rounds vs N for each loss rate, with the formula as a dashed line. */
export function spreadSvg(rows: SpreadRow[]): string {
  const width = 640, height = 400, pad = 50
  const ns = [...new Set(rows.map((r) => r.nodes))].sort((a, b) => a - b)
  const maxY = Math.ceil(Math.max(1, ...rows.map((r) => (Number.isNaN(r.p99Rounds) ? 0 : r.p99Rounds)), ...rows.map((r) => r.formula)))
  const x = (n: number): number => pad + ((Math.log(n) - Math.log(ns[0]!)) / Math.max(1e-9, Math.log(ns.at(-1)!) - Math.log(ns[0]!))) * (width - 2 * pad)
  const y = (v: number): number => height - pad - (v / maxY) * (height - 2 * pad)
  const line = (points: Array<[number, number]>, style: string): string =>
    `<polyline fill="none" ${style} points="${points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ')}"/>`
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`]
  parts.push(`<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="#000"/>`)
  parts.push(`<line x1="${pad}" y1="${pad}" x2="${pad}" y2="${height - pad}" stroke="#000"/>`)
  for (const n of ns) parts.push(`<text x="${x(n)}" y="${height - pad + 16}" text-anchor="middle">${n}</text>`)
  for (let v = 0; v <= maxY; v++) parts.push(`<text x="${pad - 8}" y="${y(v) + 4}" text-anchor="end">${v}</text>`)
  const fanout = rows[0]?.fanout ?? 0
  parts.push(line(ns.map((n) => [x(n), y(Math.log(n) / Math.log(fanout))]), 'stroke="#888" stroke-dasharray="4 4"'))
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd']
  const losses = [...new Set(rows.map((r) => r.loss))]
  losses.forEach((loss, i) => {
    const series = rows.filter((r) => r.loss === loss && !Number.isNaN(r.meanRounds))
    parts.push(line(series.map((r) => [x(r.nodes), y(r.meanRounds)]), `stroke="${colors[i % colors.length]}" stroke-width="2"`))
    parts.push(`<text x="${width - pad - 150}" y="${pad + 16 * i}" fill="${colors[i % colors.length]}">mean rounds, loss ${(loss * 100).toFixed(0)}%</text>`)
  })
  parts.push(`<text x="${width - pad - 150}" y="${pad + 16 * losses.length}" fill="#888">log${fanout}(N)</text>`)
  parts.push(`<text x="${width / 2}" y="${height - 10}" text-anchor="middle">nodes (log scale)</text></svg>`)
  return parts.join('\n')
}
