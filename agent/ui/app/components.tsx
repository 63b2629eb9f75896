/**
 * agent/ui/app/components.tsx: small shared pieces: status badges with text (never colour
 * alone), error and loading banners, health count cells, relative durations.
 */
import type { ComponentChildren } from 'preact'

/** Badge is a status pill; tone picks the colour, the text always says the status. */
export function Badge(props: { tone: 'ok' | 'warn' | 'bad' | 'info' | 'muted'; children: ComponentChildren; title?: string }) {
  return <span class={`badge badge-${props.tone}`} title={props.title}>{props.children}</span>
}

/** toneOf maps a check or member status to a badge tone. */
export function toneOf(status: string): 'ok' | 'warn' | 'bad' | 'info' | 'muted' {
  switch (status) {
    case 'passing': case 'alive': case 'leader': return 'ok'
    case 'warning': case 'suspect': case 'leaving': case 'candidate': case 'precandidate': return 'warn'
    case 'critical': case 'failed': case 'dead': return 'bad'
    case 'left': case 'none': return 'muted'
    default: return 'info'
  }
}

/** StatusBadge is a Badge whose tone follows its status text. */
export function StatusBadge(props: { status: string }) {
  return <Badge tone={toneOf(props.status)}>{props.status}</Badge>
}

/** HealthCounts shows passing / warning / critical counts with words for screen readers. */
export function HealthCounts(props: { passing: number; warning: number; critical: number }) {
  return (
    <span class="health-counts">
      <span class="hc hc-ok" title="passing checks"><span aria-hidden="true">✓</span> {props.passing}<span class="sr-only"> passing</span></span>
      <span class={`hc hc-warn${props.warning ? '' : ' hc-zero'}`} title="warning checks"><span aria-hidden="true">!</span> {props.warning}<span class="sr-only"> warning</span></span>
      <span class={`hc hc-bad${props.critical ? '' : ' hc-zero'}`} title="critical checks"><span aria-hidden="true">✕</span> {props.critical}<span class="sr-only"> critical</span></span>
    </span>
  )
}

/** ErrorBanner shows an error in a live region. */
export function ErrorBanner(props: { error: string | undefined }) {
  if (!props.error) return null
  return <p class="banner banner-error" role="alert">{props.error}</p>
}

/** Loading is the placeholder while the first answer is on its way. */
export function Loading(props: { what: string }) {
  return <p class="muted" aria-busy="true">Loading {props.what}…</p>
}

/** PageHeader is a view's title row with optional actions. */
export function PageHeader(props: { title: ComponentChildren; children?: ComponentChildren }) {
  return (
    <div class="page-header">
      <h1>{props.title}</h1>
      {props.children ? <div class="page-actions">{props.children}</div> : null}
    </div>
  )
}

/** ago renders a time difference in ms as "1.2 s ago" style text. */
export function ago(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  return `${Math.round(ms / 60_000)} min`
}

/** clock renders an epoch ms as HH:MM:SS.mmm local time. */
export function clock(ms: number): string {
  const d = new Date(ms)
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
}
