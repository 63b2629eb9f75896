// Goal: the acceptance run of the web UI against real agents: three servers (real Raft on real
// disks, real RPC over loopback TCP, -bootstrap-expect=3) and one client, each a full
// Agent.start() with its HTTP API, catalog and the UI mounted by the agent's own route table.
// The services list shows the right passing counts; a KV key created in the UI is readable
// through the HTTP API (?raw) and one written by the API appears without a reload; killing the
// Raft leader shows the new leader and a higher term in the Raft view within 3 s of the
// election, without a reload; the dead node turns failed in the Nodes view.
// Method: the agents run in this process on 127.0.0.1 (H8 ports 27100–27499); gossip is the
// catalog tests' in-memory double (membership only: the real SWIM pool had not landed), so a
// killed agent is reported failed at once. The UI is opened on the client (node4), which has no
// Raft and so polls the cluster fan-out every 1.5 s. Chromium via playwright-core, CI flags.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
// @ts-expect-error build.mjs is plain JavaScript without types
import { buildUi } from '../../../agent/ui/build.mjs'
import { Agent } from '../../../agent/agent.js'
import { silentLogger } from '../../../agent/agent-log.js'
import { loadRuntimeConfig } from '../../../agent/config/build.js'
import { ensureCatalogAgent, stopCatalogAgent } from '../../../agent/local/agent.js'
import { EventGossipNet } from '../../integration/catalog/gossip-double.js'
import type { GossipStarter } from '../../../agent/agent-gossip.js'
import { waitFor } from './agents.js'
import { launchBrowser, shot, type Browser } from './browser.js'

const root = mkdtempSync(join(tmpdir(), 'zx-ui-agents-'))
// LAN and WAN pools get separate in-memory nets, as they are separate pools on real agents.
const lanNet = new EventGossipNet()
const wanNet = new EventGossipNet()
const startGossip: GossipStarter = (options) => (options.name.includes('.') ? wanNet : lanNet).start(options) // WAN names are node.dc
const agents = new Map<number, Agent>()
const httpPort = (i: number) => 27_200 + i
const url = (i: number, path: string) => `http://127.0.0.1:${httpPort(i)}${path}`
let outDir: string
let browser: Browser
let ui: string
let killed: string

function configFor(i: number, server: boolean) {
  const argv = ['-node', `node${i}`, '-data-dir', join(root, `node${i}`), '-bind', '127.0.0.1', '-client', '127.0.0.1', '-ui',
    '-http-port', String(httpPort(i)), '-server-port', String(27_100 + i), '-serf-lan-port', String(27_300 + i), '-dns-port', String(27_400 + i)]
  if (server) argv.push('-server', '-bootstrap-expect=3')
  return loadRuntimeConfig(argv, { env: {}, hostname: () => 'h', privateIps: () => [], pid: process.pid, tmpdir })
}

async function leaderNode(): Promise<string | undefined> {
  for (const [i, agent] of agents) {
    if (!agent.ctx.server) continue
    try {
      const r = await fetch(url(i, '/v1/operator/raft/configuration'), { signal: AbortSignal.timeout(2_000) })
      if (!r.ok) continue
      const leader = ((await r.json()) as { Servers: { Node: string; Leader: boolean }[] }).Servers.find((s) => s.Leader)?.Node
      if (leader && leader !== '(unknown)') return leader
    } catch { /* next */ }
  }
  return undefined
}

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'zx-ui-dist-'))
  await buildUi({ outDir })
  process.env.ZX_UI_DIR = outDir
  for (let i = 1; i <= 4; i++) {
    const agent = await Agent.start(configFor(i, i <= 3), { startGossip }, silentLogger)
    agents.set(i, agent)
    ensureCatalogAgent(agent.ctx)
  }
  await waitFor('a Raft leader', leaderNode, 30_000)
  ui = url(4, '')
  browser = await launchBrowser()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  for (const agent of agents.values()) { await stopCatalogAgent(agent.ctx); await agent.shutdown() }
  rmSync(root, { recursive: true, force: true })
  if (outDir) rmSync(outDir, { recursive: true, force: true })
})

describe('zx web UI against real agents (in-process 3 servers + 1 client)', () => {
  it('lists services with their passing counts', async () => {
    for (const [i, status] of [[1, 'passing'], [2, 'passing'], [4, 'warning']] as const) {
      const r = await fetch(url(i, '/v1/agent/service/register'), {
        method: 'PUT', body: JSON.stringify({ ID: `web-${i}`, Name: 'web', Port: 8080, Tags: ['v1'], Check: { TTL: '10m', Status: status } }),
      })
      expect(r.status, await r.text()).toBe(200)
    }
    const { page } = browser
    await page.goto(`${ui}/ui/`)
    await page.waitForURL(/\/ui\/dc1\/services$/)
    const web = page.locator('tr[data-service="web"]')
    await expect.poll(() => web.locator('[data-testid=instances]').textContent(), { timeout: 20_000 }).toBe('3')
    // 3 instances × (serfHealth + TTL check); node4's TTL check warns.
    await expect.poll(async () => (await web.locator('[data-testid=health]').innerText()).replace(/\s+/g, ' '), { timeout: 20_000 }).toBe('✓ 5 passing ! 1 warning ✕ 0 critical')
    // Every server carries the consul service, passing.
    await expect.poll(() => page.locator('tr[data-service="consul"] [data-testid=instances]').textContent()).toBe('3')
    await shot(page, 'agents-services')
  })

  it('creates a key in the UI that the API reads, and shows an API write live', async () => {
    const { page } = browser
    await page.goto(`${ui}/ui/dc1/kv/`)
    await page.getByLabel('Key or folder (end with / for a folder)').fill('lab/eleven')
    await page.getByLabel('Value', { exact: true }).fill('11')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.waitForURL(/\/ui\/dc1\/kv\/lab\/eleven$/)
    expect(await (await fetch(url(2, '/v1/kv/lab/eleven?raw'))).text()).toBe('11')
    await page.goto(`${ui}/ui/dc1/kv/lab/`)
    await expect.poll(() => page.locator('[data-testid=kv-list]').innerText()).toContain('eleven')
    expect((await fetch(url(3, '/v1/kv/lab/twelve'), { method: 'PUT', body: '12' })).status).toBe(200)
    await expect.poll(() => page.locator('[data-testid=kv-list]').innerText(), { timeout: 5_000 }).toContain('twelve')
    await shot(page, 'agents-kv')
  })

  it('keeps the agents nearly idle while a view sits open (no tight polling)', async () => {
    const { page } = browser
    const requests: string[] = []
    page.on('request', (r) => requests.push(r.url()))
    let perSecond = 0
    const sample = async (path: string) => {
      await page.goto(path === 'blank' ? 'about:blank' : `${ui}${path}`)
      await page.waitForTimeout(1_500)
      requests.length = 0
      const cpu = process.cpuUsage()
      const started = Date.now()
      await page.waitForTimeout(5_000)
      const used = process.cpuUsage(cpu)
      perSecond = requests.length / ((Date.now() - started) / 1000)
      return ((used.user + used.system) / 1000 / (Date.now() - started)) * 100
    }
    const idle = await sample('blank')
    const figures: string[] = [`no tab: ${idle.toFixed(2)}%`]
    for (const path of ['/ui/dc1/services', '/ui/dc1/nodes', '/ui/dc1/kv/lab/', '/ui/dc1/raft', '/ui/dc1/gossip']) {
      const pct = await sample(path)
      figures.push(`${path}: ${pct.toFixed(2)}% (+${(pct - idle).toFixed(2)}), ${perSecond.toFixed(1)} req/s from the tab`)
      process.stdout.write(`${figures.at(-1)}\n`)
      // Deterministic: live views park blocking queries or poll every 1.5–2 s, never faster.
      expect(perSecond).toBeLessThanOrEqual(2)
      // Coarse: four agents, Vitest and Playwright share this process and the machine is
      // shared, so only a gross regression (a spinning loop) fails here; figures are in
      // agent/ui/README.md.
      expect(pct - idle).toBeLessThan(8)
    }
    process.stdout.write(`CPU of the process running all four agents (one core = 100 %):\n  ${figures.join('\n  ')}\n`)
  })

  it('shows the new leader and a higher term within 3 s of the election after the leader dies', async () => {
    const { page } = browser
    await page.goto(`${ui}/ui/dc1/raft`)
    const before = (await waitFor('a leader', leaderNode, 10_000))!
    await expect.poll(() => page.locator('[data-testid=raft-leader]').innerText(), { timeout: 10_000 }).toBe(before)
    await expect.poll(() => page.locator('tr[data-server]').count()).toBe(3)
    const termBefore = Number(await page.locator('[data-testid=raft-term]').innerText())
    await shot(page, 'agents-raft-before')
    // A second tab on a surviving server follows its SSE stream instead of polling.
    const follower = [1, 2, 3].map((i) => `node${i}`).find((n) => n !== before)!
    const serverPage = await browser.context.newPage()
    await serverPage.goto(`${url(Number(follower.slice(4)), '')}/ui/dc1/raft`)
    await expect.poll(() => serverPage.locator('[data-testid=raft-leader]').innerText(), { timeout: 10_000 }).toBe(before)
    const index = Number(before.slice(4))
    const killedAt = Date.now()
    await agents.get(index)!.shutdown()
    killed = before
    const after = await waitFor('a new leader', async () => { const l = await leaderNode(); return l && l !== before ? l : undefined }, 30_000)
    const electedSeenAt = Date.now()
    const shown = await Promise.all([page, serverPage].map(async (p) => {
      await p.locator('[data-testid=raft-leader]', { hasText: after }).waitFor({ timeout: 3_000 })
      return Date.now() - electedSeenAt
    }))
    process.stdout.write(`leader ${before} killed; API (200 ms polls) reported ${after} after ${electedSeenAt - killedAt} ms; Raft view showed it ${shown[0]} ms later on the client tab (1.5 s polls), ${shown[1]} ms later on the ${follower} tab (SSE)\n`)
    await serverPage.close()
    expect(Number(await page.locator('[data-testid=raft-term]').innerText())).toBeGreaterThan(termBefore)
    await expect.poll(() => page.locator(`tr[data-server="${before}"]`).innerText()).toContain('unreachable')
    await expect.poll(() => page.locator('[data-testid=raft-elections] tbody tr').count()).toBeGreaterThan(0)
    await shot(page, 'agents-raft-after-kill')
  })

  it('turns the dead node failed in the Nodes view', async () => {
    const { page } = browser
    await page.goto(`${ui}/ui/dc1/nodes`)
    await expect.poll(() => page.locator(`tr[data-node="${killed}"] [data-testid=gossip-status]`).innerText(), { timeout: 15_000 }).toBe('failed')
    await expect.poll(() => page.locator(`tr[data-node="${killed}"] [data-testid=serf-health]`).innerText(), { timeout: 15_000 }).toBe('critical')
    await shot(page, 'agents-nodes-failed')
    await page.goto(`${ui}/ui/dc1/gossip`)
    await expect.poll(() => page.locator(`tr[data-member="${killed}"] td[data-observer="node4"]`).innerText(), { timeout: 10_000 }).toContain('failed')
    await shot(page, 'agents-gossip')
  })
})

describe('zx web UI first paint on a real agent', () => {
  it('paints the services page first within budget', async () => {
    const { page } = browser
    const samples: number[] = []
    for (let i = 0; i < 5; i++) {
      await page.goto(`${ui}/ui/dc1/services`, { waitUntil: 'load' })
      await page.locator('tr[data-service="web"]').waitFor()
      samples.push(await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1))
    }
    samples.sort((a, b) => a - b)
    process.stdout.write(`first contentful paint on node4, ms (sorted): ${samples.map((s) => s.toFixed(0)).join(', ')}\n`)
    expect(samples[2]).toBeGreaterThan(0)
    // Target < 300 ms; the bound leaves room for a loaded shared machine.
    expect(samples[2]).toBeLessThan(1_000)
  })
})
