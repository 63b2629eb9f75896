/**
 * src/bench/plot.ts: a self-contained SVG of a run's timeline — throughput per 100 ms slot as
 * bars and the worst latency per slot as a line — so a failover shows up as a gap in the bars
 * and a spike in the line, without any plotting dependency.
 */
import type { TimelineSlot } from './runner.js'

/** timelineSvg renders one or more labelled timelines (e.g. zx and etcd) into one SVG. */
export function timelineSvg(series: Array<{ label: string; timeline: TimelineSlot[] }>, title: string): string {
  const width = 900
  const rowHeight = 220
  const pad = { left: 60, right: 60, top: 30, bottom: 30 }
  const height = series.length * rowHeight + 20
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${pad.left}" y="16" font-size="13" font-weight="bold">${escapeXml(title)}</text>`,
  ]
  series.forEach((s, row) => {
    const top = row * rowHeight + pad.top
    const plotW = width - pad.left - pad.right
    const plotH = rowHeight - pad.top - pad.bottom
    const n = Math.max(1, s.timeline.length)
    const maxOps = Math.max(1, ...s.timeline.map((t) => t.ops))
    const maxLat = Math.max(1, ...s.timeline.map((t) => t.maxLatencyMs))
    const barW = plotW / n
    parts.push(`<text x="${pad.left}" y="${top - 6}" font-weight="bold">${escapeXml(s.label)}</text>`)
    parts.push(`<rect x="${pad.left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`)
    s.timeline.forEach((t, i) => {
      const h = (t.ops / maxOps) * plotH
      const fill = t.errors > 0 ? '#d9534f' : '#5b9bd5'
      parts.push(`<rect x="${(pad.left + i * barW).toFixed(1)}" y="${(top + plotH - h).toFixed(1)}" width="${Math.max(0.5, barW - 0.3).toFixed(1)}" height="${h.toFixed(1)}" fill="${fill}"/>`)
    })
    const points = s.timeline.map((t, i) => `${(pad.left + (i + 0.5) * barW).toFixed(1)},${(top + plotH - (t.maxLatencyMs / maxLat) * plotH).toFixed(1)}`)
    parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="#e67e22" stroke-width="1.2"/>`)
    parts.push(`<text x="${pad.left - 6}" y="${top + 10}" text-anchor="end">${Math.round(maxOps * 10)}/s</text>`)
    parts.push(`<text x="${width - pad.right + 6}" y="${top + 10}" fill="#e67e22">${maxLat.toFixed(1)} ms</text>`)
    parts.push(`<text x="${pad.left}" y="${top + plotH + 14}">0 s</text>`)
    parts.push(`<text x="${width - pad.right}" y="${top + plotH + 14}" text-anchor="end">${(n / 10).toFixed(1)} s</text>`)
  })
  parts.push(`<text x="${pad.left}" y="${height - 4}" fill="#555">bars: ops per 100 ms (red: with errors) · line: worst latency per 100 ms</text>`)
  parts.push('</svg>')
  return parts.join('\n')
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!)
}
