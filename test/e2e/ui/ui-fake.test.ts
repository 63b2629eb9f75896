// Goal: the web UI works end to end in a real Chromium: every view renders live data from the
// HTTP API, KV edits are CAS-safe and visible through the API (and API writes show in the UI
// without a reload), deep links survive a refresh and the back button, and when the Raft
// leader is killed the Raft view shows the new leader and term within 3 s, while the Nodes
// view turns the dead node failed.
// Method: a built bundle (agent/ui/build.mjs) served by the real uiHandler and the real
// /v1/zx LabApi, on four loopback HTTP servers backed by a scripted test double of the
// Consul API and of RaftApi/GossipPool (fake-cluster.ts); Chromium through playwright-core
// with CI's flags. Screenshots of each view go to test-output/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
// @ts-expect-error build.mjs is plain JavaScript without types
import { buildUi } from '../../../agent/ui/build.mjs'
import { FakeCluster } from './fake-cluster.js'
import { FakeState } from './fake-consul.js'
import { launchBrowser, shot, type Browser } from './browser.js'

const lockFlag = '3304740253564472344' // Consul's LockFlagValue, > 2^53

let outDir: string
let state: FakeState
let cluster: FakeCluster
let browser: Browser
let base: string

async function apiGet(path: string): Promise<{ status: number; text: string }> {
  const r = await fetch(`${base}${path}`)
  return { status: r.status, text: await r.text() }
}

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'zx-ui-dist-'))
  await buildUi({ outDir })
  state = new FakeState()
  cluster = new FakeCluster(state, outDir)
  await cluster.start()
  for (const n of cluster.nodes) state.addNode(n.name, n.id)
  for (const n of ['node1', 'node2', 'node3']) state.addService(n, 'consul', 'consul', 8300, [])
  state.addService('node1', 'web-1', 'web', 8080, ['v1'], 'passing')
  state.addService('node2', 'web-2', 'web', 8080, ['v1'], 'passing')
  state.addService('node4', 'web-4', 'web', 8081, ['canary'], 'warning')
  state.addService('node3', 'redis-1', 'redis', 6379, ['primary'], 'critical')
  state.kvPut('config/app/name', Buffer.from('zx-demo'), 0n, undefined)
  state.kvPut('config/db/url', Buffer.from('postgres://db'), 0n, undefined)
  state.sessions.push({ ID: 'a1b2c3d4-0000-4000-8000-00000000beef', Name: 'Consul API Lock', Node: 'node3', Behavior: 'release', TTL: '15s', LockDelay: 15e9, NodeChecks: ['serfHealth'], CreateIndex: 30, ModifyIndex: 30 })
  state.kvPut('locks/job-a', Buffer.from('held'), BigInt(lockFlag), undefined, 'a1b2c3d4-0000-4000-8000-00000000beef')
  // The UI is opened on node2, so killing the leader (node1) does not take the page down.
  base = `http://127.0.0.1:${cluster.byName('node2').port}`
  browser = await launchBrowser()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await cluster?.stop()
  if (outDir) rmSync(outDir, { recursive: true, force: true })
})

describe('zx web UI in Chromium (fake cluster)', () => {
  it('redirects / to the services list and shows the right health counts', async () => {
    const { page } = browser
    await page.goto(`${base}/`)
    await page.waitForURL(`${base}/ui/dc1/services`)
    const web = page.locator('tr[data-service="web"]')
    await expect.poll(() => web.locator('[data-testid=instances]').textContent()).toBe('3')
    // web: 3 instances × (serfHealth + service check); node4's service check warns.
    const health = await web.locator('[data-testid=health]').innerText()
    expect(health.replace(/\s+/g, ' ')).toContain('✓ 5')
    expect(health.replace(/\s+/g, ' ')).toContain('! 1')
    await expect.poll(() => page.locator('tr[data-service="redis"] [data-testid=health]').innerText()).toMatch(/✕\s*1/)
    await shot(page, 'services')
    await page.getByLabel('Search by name').fill('red')
    await expect.poll(() => page.locator('tbody tr[data-service]').count()).toBe(1)
    await page.getByLabel('Search by name').fill('')
    await page.getByLabel('Health').selectOption('critical')
    await expect.poll(() => page.locator('tbody tr[data-service]').allInnerTexts()).toEqual([expect.stringContaining('redis')])
    await page.getByLabel('Health').selectOption('any')
  })

  it('opens a service page with instances and check output, and the back button returns', async () => {
    const { page } = browser
    await page.locator('tr[data-service="web"] a', { hasText: 'web' }).click()
    await page.waitForURL(`${base}/ui/dc1/services/web`)
    await expect.poll(() => page.locator('[data-testid=instances] > li').count()).toBe(3)
    const instances = await page.locator('[data-testid=instances]').innerText()
    expect(instances).toContain('200 OK')
    expect(instances).toContain('503 Service Unavailable')
    expect(await page.locator('[data-testid=instances]').innerText()).toContain('127.0.0.1:8081')
    await shot(page, 'service-web')
    await page.goBack()
    await page.waitForURL(`${base}/ui/dc1/services`)
    await expect.poll(() => page.locator('tr[data-service="web"]').count()).toBe(1)
  })

  it('lists nodes with leader, server and client badges and serfHealth', async () => {
    const { page } = browser
    await page.getByRole('link', { name: 'Nodes' }).click()
    await page.waitForURL(`${base}/ui/dc1/nodes`)
    await expect.poll(() => page.locator('tr[data-node]').count()).toBe(4)
    await expect.poll(() => page.locator('tr[data-node="node1"] th').innerText()).toMatch(/leader/)
    expect(await page.locator('tr[data-node="node4"] th').innerText()).toMatch(/client/)
    expect(await page.locator('tr[data-node="node3"] [data-testid=serf-health]').innerText()).toBe('passing')
    await shot(page, 'nodes')
    await page.locator('tr[data-node="node3"] a', { hasText: 'node3' }).click()
    await expect.poll(() => page.locator('[data-testid=sessions]').innerText()).toContain('Consul API Lock')
    await shot(page, 'node-node3')
  })

  it('creates a KV key in the UI that the API reads, and shows an API write live', async () => {
    const { page } = browser
    await page.goto(`${base}/ui/dc1/kv/`)
    await expect.poll(() => page.locator('[data-testid=kv-list]').innerText()).toContain('config/')
    await page.getByLabel('Key or folder (end with / for a folder)').fill('ui/created')
    await page.getByLabel('Value', { exact: true }).fill('hello from chromium')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.waitForURL(`${base}/ui/dc1/kv/ui/created`)
    const read = await apiGet('/v1/kv/ui/created')
    expect(read.status).toBe(200)
    expect(Buffer.from(JSON.parse(read.text)[0].Value, 'base64').toString()).toBe('hello from chromium')
    await page.goto(`${base}/ui/dc1/kv/config/`)
    await expect.poll(() => page.locator('[data-testid=kv-list]').innerText()).toContain('db/')
    await fetch(`${base}/v1/kv/config/written-by-api`, { method: 'PUT', body: 'v1' })
    // No reload: the folder's blocking query wakes on the write.
    await expect.poll(() => page.locator('[data-testid=kv-list]').innerText(), { timeout: 5_000 }).toContain('written-by-api')
    await shot(page, 'kv-folder')
  })

  it('reports a concurrent change instead of overwriting it (CAS)', async () => {
    const { page } = browser
    await page.goto(`${base}/ui/dc1/kv/config/app/name`)
    await expect.poll(() => page.getByLabel('Value (text)').inputValue()).toBe('zx-demo')
    await page.getByLabel('Value (text)').fill('edited in the UI')
    await fetch(`${base}/v1/kv/config/app/name`, { method: 'PUT', body: 'changed by the API' })
    await page.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => page.locator('[data-testid=kv-message]').innerText()).toContain('changed by someone else')
    const read = await apiGet('/v1/kv/config/app/name')
    expect(Buffer.from(JSON.parse(read.text)[0].Value, 'base64').toString()).toBe('changed by the API')
    await shot(page, 'kv-cas-conflict')
  })

  it('shows a lock holder and exact uint64 flags, and survives a refresh on a deep link', async () => {
    const { page } = browser
    await page.goto(`${base}/ui/dc1/kv/locks/job-a`)
    await page.reload()
    const meta = page.locator('[data-testid=kv-meta]')
    await expect.poll(() => meta.innerText()).toContain(lockFlag)
    await expect.poll(() => page.locator('[data-testid=lock-holder]').innerText()).toContain('node3')
    await page.getByLabel('Base64').check()
    expect(await page.getByLabel('Value (base64)').inputValue()).toBe(Buffer.from('held').toString('base64'))
    await page.getByLabel('Text').check()
    expect(await page.getByLabel('Value (text)').inputValue()).toBe('held')
    await shot(page, 'kv-key-locked')
  })

  it('invalidates a session from the node page, releasing its lock', async () => {
    const { page } = browser
    await page.goto(`${base}/ui/dc1/nodes/node3`)
    await page.getByRole('button', { name: /Invalidate/ }).click()
    await expect.poll(() => page.locator('[data-testid=sessions]').count()).toBe(0)
    expect(JSON.parse((await apiGet('/v1/kv/locks/job-a')).text)[0].Session).toBeUndefined()
  })

  it('shows the new leader and term within 3 s of killing the leader, without a reload', async () => {
    const { page } = browser
    await page.goto(`${base}/ui/dc1/raft`)
    await expect.poll(() => page.locator('[data-testid=raft-leader]').innerText()).toBe('node1')
    expect(await page.locator('[data-testid=raft-term]').innerText()).toBe('2')
    await expect.poll(() => page.locator('tr[data-server]').count()).toBe(3)
    await shot(page, 'raft-before')
    const killedAt = Date.now()
    await cluster.killNode('node1', 'node2', 600)
    await page.locator('[data-testid=raft-leader]', { hasText: 'node2' }).waitFor({ timeout: 3_000 })
    const elapsed = Date.now() - killedAt
    expect(await page.locator('[data-testid=raft-term]').innerText()).toBe('3')
    expect(elapsed).toBeLessThan(3_000)
    process.stdout.write(`raft view showed the new leader ${elapsed} ms after the kill (election scripted at 600 ms)\n`)
    await expect.poll(() => page.locator('tr[data-server="node1"]').innerText()).toContain('unreachable')
    await expect.poll(() => page.locator('[data-testid=raft-elections]').innerText()).toMatch(/3\s/)
    await shot(page, 'raft-after-kill')
  })

  it('turns the failed node failed in the Nodes view and the gossip matrix', async () => {
    // The gossip view polls every 1.5–2 s (gossip state has no blocking query), so each wait
    // must outlast one poll; expect.poll's 1 s default made this flaky under load.
    const { page } = browser
    await page.getByRole('link', { name: 'Nodes' }).click()
    await expect.poll(() => page.locator('tr[data-node="node1"] [data-testid=gossip-status]').innerText(), { timeout: 8_000 }).toBe('failed')
    await expect.poll(() => page.locator('tr[data-node="node1"] [data-testid=serf-health]').innerText(), { timeout: 8_000 }).toBe('critical')
    await expect.poll(() => page.locator('tr[data-node="node2"] th').innerText(), { timeout: 8_000 }).toMatch(/leader/)
    await shot(page, 'nodes-after-kill')
    await page.getByRole('link', { name: 'Gossip' }).click()
    await page.waitForURL(`${base}/ui/dc1/gossip`)
    for (const observer of ['node2', 'node3', 'node4']) {
      await expect.poll(() => page.locator(`tr[data-member="node1"] td[data-observer="${observer}"]`).innerText(), { timeout: 8_000 }).toContain('failed')
    }
    const spread = page.locator('[data-testid=gossip-spread] tbody tr', { hasText: 'failed' }).first()
    await expect.poll(() => spread.innerText(), { timeout: 8_000 }).toContain('3/3')
    await shot(page, 'gossip')
  })

  it('is keyboard-usable, labels every control and keeps text contrast at WCAG AA', async () => {
    const { page } = browser
    await page.goto(`${base}/ui/dc1/kv/config/app/name`)
    await page.getByRole('button', { name: 'Save' }).waitFor()
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content')
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Services')
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button')]
      .filter((el) => !((el as HTMLInputElement).labels?.length || el.getAttribute('aria-label') || (el.textContent ?? '').trim()))
      .map((el) => el.outerHTML))
    expect(unlabelled).toEqual([])
    await page.goto(`${base}/ui/dc1/nodes`)
    await expect.poll(() => page.locator('tr[data-node]').count()).toBe(4)
    // Contrast of every badge and muted text against its own or the nearest painted
    // background, in the light and the dark colour scheme.
    const contrast = () => page.evaluate(() => {
      const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number)
      const lum = ([r, g, b]: number[]) => [r!, g!, b!].map((v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4 }).reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i]!, 0)
      const bgOf = (el: Element | null): number[] => {
        for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length >= 3 && (c[3] ?? 1) > 0) return c }
        return [255, 255, 255]
      }
      let min = 21
      let which = ''
      for (const el of document.querySelectorAll('.badge, .muted, th, td, a, .hc')) {
        const fg = lum(rgb(getComputedStyle(el).color))
        const bg = lum(bgOf(el))
        const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05)
        if (ratio < min) { min = ratio; which = el.outerHTML.slice(0, 80) }
      }
      return { min, which }
    })
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme })
      const worst = await contrast()
      expect(worst.min, `${colorScheme}: ${worst.which}`).toBeGreaterThanOrEqual(4.5)
    }
    await shot(page, 'nodes-dark')
    await page.emulateMedia({ colorScheme: 'light' })
  })

  it('is usable on a phone-sized screen', async () => {
    const phone = await launchBrowser({ width: 390, height: 844 })
    try {
      await phone.page.goto(`${base}/ui/dc1/services`)
      await expect.poll(() => phone.page.locator('tr[data-service="web"]').count()).toBe(1)
      const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
      expect(overflow).toBeLessThanOrEqual(0)
      await shot(phone.page, 'services-phone')
      await phone.page.goto(`${base}/ui/dc1/raft`)
      await expect.poll(() => phone.page.locator('[data-testid=raft-leader]').innerText()).toBe('node2')
      await shot(phone.page, 'raft-phone')
    } finally {
      await phone.close()
    }
  })

  it('keeps the agent nearly idle while views sit open (blocking queries, no tight polling)', async () => {
    const { page } = browser
    const figures: string[] = []
    for (const view of ['services', 'nodes', 'kv/config/', 'raft', 'gossip']) {
      await page.goto(`${base}/ui/dc1/${view}`)
      await page.waitForTimeout(1_500)
      const before = new Map(cluster.requests)
      const cpu = process.cpuUsage()
      const started = Date.now()
      await page.waitForTimeout(4_000)
      const wallMs = Date.now() - started
      const used = process.cpuUsage(cpu)
      const total = [...cluster.requests].reduce((s, [n, c]) => s + c - (before.get(n) ?? 0), 0)
      const perSecond = total / (wallMs / 1000)
      const cpuPct = ((used.user + used.system) / 1000 / wallMs) * 100
      figures.push(`${view}: ${perSecond.toFixed(2)} req/s over all nodes, test process CPU ${cpuPct.toFixed(2)}%`)
      // Idle views only re-read members/status (2 s) or the cluster fan-out (2 s, 3 nodes).
      expect(perSecond).toBeLessThan(6)
    }
    process.stdout.write(`idle load with one tab open:\n  ${figures.join('\n  ')}\n`)
  })

  it('paints first within budget on loopback', async () => {
    const { page } = browser
    const samples: number[] = []
    for (let i = 0; i < 5; i++) {
      await page.goto(`${base}/ui/dc1/services`, { waitUntil: 'load' })
      await page.locator('tr[data-service="web"]').waitFor()
      const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1)
      samples.push(fcp)
    }
    samples.sort((a, b) => a - b)
    const median = samples[2]!
    process.stdout.write(`first contentful paint ms (5 loads, sorted): ${samples.map((s) => s.toFixed(0)).join(', ')}; median ${median.toFixed(0)}\n`)
    expect(median).toBeGreaterThan(0)
    // Target is < 300 ms; the assertion leaves room for a loaded shared CI machine.
    expect(median).toBeLessThan(1_000)
  })
})
