// Goal: the acceptance run of the web UI against a real lab cluster: three `zx agent -server`
// processes and one client on 127.0.0.1. The services list shows the right passing counts; a
// KV key created in the UI is readable through the HTTP API and `zx kv get`, and one written
// by the API appears in the UI without a reload; killing the Raft leader (SIGKILL) shows the
// new leader and term in the Raft view within 3 s of the election, without a reload; the
// killed node turns failed in the Nodes view.
// Method: real agents (agents.ts) and Debian's Chromium via playwright-core with CI's flags;
// the UI is opened on the client (node4), which no kill touches. Screenshots go to
// test-output/screenshots/cluster-*.png. ZX_AGENT_CMD / ZX_CLI point at another build.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { resolve } from 'node:path'
import { RealCluster, cpuTicks, waitFor } from './agents.js'
import { launchBrowser, shot, type Browser } from './browser.js'

const run = promisify(execFile)
const repo = resolve(import.meta.dirname, '../../..')
let cluster: RealCluster
let browser: Browser
let ui: string
/** killedNode is the leader the Raft test killed; the Nodes test expects it failed. */
let killedNode: string

async function http(port: number, path: string, init?: RequestInit): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}${path}`, { ...init, signal: AbortSignal.timeout(5_000) })
}

async function leaderName(): Promise<string | undefined> {
  for (const node of cluster.nodes) {
    if (!node.child) continue
    try {
      const r = await http(node.httpPort, '/v1/operator/raft/configuration')
      if (!r.ok) continue
      const body = (await r.json()) as { Servers: { Node: string; Leader: boolean }[] }
      const leader = body.Servers.find((s) => s.Leader)?.Node
      if (leader) return leader
    } catch { /* try the next node */ }
  }
  return undefined
}

beforeAll(async () => {
  cluster = new RealCluster()
  cluster.start()
  try {
    await waitFor('a Raft leader', leaderName, 60_000)
    await waitFor('node4 to see 4 alive members', async () => {
      const r = await http(cluster.byName('node4').httpPort, '/v1/agent/members')
      const members = (await r.json()) as { Status: number }[]
      return members.filter((m) => m.Status === 1).length === 4 ? true : undefined
    }, 30_000)
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${cluster.logs()}`)
  }
  ui = `http://127.0.0.1:${cluster.byName('node4').httpPort}`
  browser = await launchBrowser()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await cluster?.stop()
})

describe('zx web UI against a real 3+1 cluster', () => {
  it('lists services with their passing counts', async () => {
    const register = (port: number, id: string, status: string) => http(port, '/v1/agent/service/register', {
      method: 'PUT', body: JSON.stringify({ ID: id, Name: 'web', Port: 8080, Tags: ['v1'], Check: { TTL: '10m', Status: status } }),
    })
    for (const [n, status] of [['node1', 'passing'], ['node2', 'passing'], ['node4', 'warning']] as const) {
      const r = await register(cluster.byName(n).httpPort, `web-${n}`, status)
      expect(r.status, await r.text()).toBe(200)
    }
    const { page } = browser
    await page.goto(`${ui}/ui/`)
    await page.waitForURL(/\/ui\/dc1\/services$/)
    const web = page.locator('tr[data-service="web"]')
    await expect.poll(() => web.locator('[data-testid=instances]').textContent(), { timeout: 15_000 }).toBe('3')
    // 3 instances × (serfHealth + TTL check); node4's TTL check warns.
    await expect.poll(async () => (await web.locator('[data-testid=health]').innerText()).replace(/\s+/g, ' '), { timeout: 15_000 }).toBe('✓ 5 passing ! 1 warning ✕ 0 critical')
    await shot(page, 'cluster-services')
  })

  it('creates a key in the UI that the API and zx kv get read, and shows an API write live', async () => {
    const { page } = browser
    await page.goto(`${ui}/ui/dc1/kv/`)
    await page.getByLabel('Key or folder (end with / for a folder)').fill('lab/from-ui')
    await page.getByLabel('Value', { exact: true }).fill('eleven')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.waitForURL(/\/ui\/dc1\/kv\/lab\/from-ui$/)
    const raw = await http(cluster.byName('node2').httpPort, '/v1/kv/lab/from-ui?raw')
    expect(await raw.text()).toBe('eleven')
    const cli = await run('node', [process.env.ZX_CLI ?? resolve(repo, 'bin/run.js'), 'kv', 'get', 'lab/from-ui', `--http-addr=127.0.0.1:${cluster.byName('node1').httpPort}`], { cwd: repo, timeout: 30_000 })
    expect(cli.stdout.trim()).toBe('eleven')
    await page.goto(`${ui}/ui/dc1/kv/lab/`)
    await expect.poll(() => page.locator('[data-testid=kv-list]').innerText()).toContain('from-ui')
    await http(cluster.byName('node3').httpPort, '/v1/kv/lab/from-api', { method: 'PUT', body: '12' })
    await expect.poll(() => page.locator('[data-testid=kv-list]').innerText(), { timeout: 5_000 }).toContain('from-api')
    await shot(page, 'cluster-kv')
  })

  it('keeps agents nearly idle while a view sits open (blocking queries, no tight polling)', async () => {
    const { page } = browser
    const requests: string[] = []
    page.on('request', (r) => { if (r.url().includes('/v1/')) requests.push(r.url()) })
    const sample = async (path: string): Promise<{ cpu: number[]; perSecond: number }> => {
      await page.goto(path === 'blank' ? 'about:blank' : `${ui}${path}`)
      await page.waitForTimeout(1_500)
      const pids = cluster.nodes.map((n) => n.child!.pid!)
      const before = pids.map(cpuTicks)
      requests.length = 0
      const started = Date.now()
      await page.waitForTimeout(6_000)
      const seconds = (Date.now() - started) / 1000
      return { cpu: pids.map((pid, i) => (cpuTicks(pid) - before[i]!) / seconds), perSecond: requests.length / seconds } // ticks/s = % of one core
    }
    const idle = (await sample('blank')).cpu
    const lines = [`no tab: ${idle.map((p) => p.toFixed(1)).join(' / ')} %`]
    for (const path of ['/ui/dc1/raft', '/ui/dc1/services', '/ui/dc1/nodes', '/ui/dc1/kv/lab/', '/ui/dc1/raft', '/ui/dc1/gossip']) {
      const { cpu, perSecond } = await sample(path)
      const added = cpu.map((p, i) => p - idle[i]!)
      lines.push(`${path}: ${cpu.map((p) => p.toFixed(1)).join(' / ')} % (added ${added.map((a) => a.toFixed(1)).join(' / ')}), ${perSecond.toFixed(1)} API req/s`)
      process.stdout.write(`${lines.at(-1)}\n`)
      // Deterministic: live views park blocking queries or poll every 1.5–2 s, never faster.
      expect(perSecond).toBeLessThanOrEqual(2)
      // Coarse: the < 2 % target is reported in agent/ui/README.md; on a shared 2-core machine
      // a single 6 s sample is noisy, so only a gross regression (a spinning loop) fails here.
      expect(Math.max(...added)).toBeLessThan(5)
    }
    process.stdout.write(`agent CPU, node1 / node2 / node3 / node4, % of one core:\n  ${lines.join('\n  ')}\n`)
  })

  it('shows the new leader and term within 3 s of the election after the leader is killed', async () => {
    const { page } = browser
    await page.goto(`${ui}/ui/dc1/raft`)
    const before = await waitFor('a leader', leaderName, 10_000)
    await expect.poll(() => page.locator('[data-testid=raft-leader]').innerText(), { timeout: 10_000 }).toBe(before)
    const termBefore = Number(await page.locator('[data-testid=raft-term]').innerText())
    await shot(page, 'cluster-raft-before')
    const killedAt = Date.now()
    await cluster.kill(before)
    const after = await waitFor('a new leader', async () => { const l = await leaderName(); return l && l !== before ? l : undefined }, 30_000)
    const electedAt = Date.now()
    await page.locator('[data-testid=raft-leader]', { hasText: after }).waitFor({ timeout: 3_000 })
    process.stdout.write(`leader ${before} killed (SIGKILL); API (200 ms polls) reported ${after} after ${electedAt - killedAt} ms; Raft view on the client showed it ${Date.now() - electedAt} ms later\n`)
    expect(Number(await page.locator('[data-testid=raft-term]').innerText())).toBeGreaterThan(termBefore)
    await shot(page, 'cluster-raft-after-kill')
    killedNode = before
  })

  it('turns the killed node failed in the Nodes view', async () => {
    const killed = killedNode
    const { page } = browser
    await page.goto(`${ui}/ui/dc1/nodes`)
    const started = Date.now()
    await expect.poll(() => page.locator(`tr[data-node="${killed}"] [data-testid=gossip-status]`).innerText(), { timeout: 30_000 }).toBe('failed')
    process.stdout.write(`Nodes view showed ${killed} failed ${Date.now() - started} ms after opening it (kill + election earlier)\n`)
    await shot(page, 'cluster-nodes-failed')
    await page.goto(`${ui}/ui/dc1/gossip`)
    await expect.poll(() => page.locator(`tr[data-member="${killed}"] td[data-observer="node4"]`).innerText(), { timeout: 10_000 }).toContain('failed')
    await shot(page, 'cluster-gossip')
  })
})
