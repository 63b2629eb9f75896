// Goal: the Key/Value and Raft views work against the agent's real HTTP stack (route table,
// wrapper, KV endpoints with blocking queries, CAS, uint64 flags, the FSM's state store), with
// the UI mounted exactly as the agent mounts it (uiRouteArea in agent/http/routes.ts, -ui).
// Method: one in-process server built by the agent's own buildContext/buildHttpApi over the
// FSM and the HTTP tests' FakeRaft (applies each proposal at once; no gossip), on 127.0.0.1
// port 0; the bundle from build.mjs via ZX_UI_DIR; Chromium via playwright-core.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
// @ts-expect-error build.mjs is plain JavaScript without types
import { buildUi } from '../../../agent/ui/build.mjs'
import { buildContext, buildHttpApi } from '../../../agent/agent-context.js'
import { silentLogger } from '../../../agent/agent-log.js'
import { loadRuntimeConfig } from '../../../agent/config/build.js'
import type { HttpApi } from '../../../agent/http/server.js'
import { Fsm } from '../../../agent/state/fsm.js'
import { FakeRaft } from '../../unit/http/fake-raft.js'
import { launchBrowser, shot, type Browser } from './browser.js'

const lockFlag = '3304740253564472344'
let outDir: string
let api: HttpApi
let base: string
let browser: Browser

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'zx-ui-dist-'))
  await buildUi({ outDir })
  process.env.ZX_UI_DIR = outDir
  const config = loadRuntimeConfig(['-server', '-bootstrap', '-ui', '-node', 'n1', '-data-dir', '/nonexistent'], {
    env: {}, hostname: () => 'n1', privateIps: () => [], pid: 1, tmpdir: () => '/tmp',
  })
  const fsm = new Fsm()
  const ctx = buildContext({
    config, nodeId: '11111111-2222-3333-4444-555555555555', raft: new FakeRaft(fsm), fsm, log: silentLogger, holdTimeoutMs: 200,
    control: { leave: async () => undefined, join: async () => 1, forceLeave: () => true },
  })
  api = buildHttpApi(ctx)
  const [port] = await api.listen(['127.0.0.1'], 0)
  base = `http://127.0.0.1:${port}`
  browser = await launchBrowser()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await api?.close()
  if (outDir) rmSync(outDir, { recursive: true, force: true })
})

describe('zx web UI on the agent HTTP stack', () => {
  it('serves / → /ui/ and the app through the agent route table', async () => {
    const root = await fetch(`${base}/`, { redirect: 'manual' })
    expect(root.status).toBe(301)
    expect(root.headers.get('location')).toBe('/ui/')
    const deep = await fetch(`${base}/ui/dc1/kv/a/b`, { headers: { 'accept-encoding': 'gzip' } })
    expect(deep.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(deep.headers.get('cache-control')).toBe('no-cache')
    const raft = await (await fetch(`${base}/v1/zx/raft`)).json() as { server: boolean; status: { role: string } }
    expect(raft.status.role).toBe('leader')
  })

  it('creates a key in the UI that the API reads raw, and shows API writes live', async () => {
    const { page } = browser
    await page.goto(`${base}/ui/dc1/kv/`)
    await page.getByLabel('Key or folder (end with / for a folder)').fill('lab/eleven')
    await page.getByLabel('Value', { exact: true }).fill('11')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.waitForURL(`${base}/ui/dc1/kv/lab/eleven`)
    expect(await (await fetch(`${base}/v1/kv/lab/eleven?raw`)).text()).toBe('11')
    await page.goto(`${base}/ui/dc1/kv/lab/`)
    await expect.poll(() => page.locator('[data-testid=kv-list]').innerText()).toContain('eleven')
    expect((await fetch(`${base}/v1/kv/lab/twelve?flags=${lockFlag}`, { method: 'PUT', body: '12' })).status).toBe(200)
    await expect.poll(() => page.locator('[data-testid=kv-list]').innerText(), { timeout: 5_000 }).toContain('twelve')
    await page.locator('[data-testid=kv-list] a', { hasText: 'twelve' }).click()
    await expect.poll(() => page.locator('[data-testid=kv-meta]').innerText()).toContain(lockFlag)
    await shot(page, 'agent-kv-key')
  })

  it('refuses to overwrite a concurrent change (CAS) and leaves the API value intact', async () => {
    const { page } = browser
    await page.goto(`${base}/ui/dc1/kv/lab/eleven`)
    await expect.poll(() => page.getByLabel('Value (text)').inputValue()).toBe('11')
    await page.getByLabel('Value (text)').fill('eleven from the UI')
    await fetch(`${base}/v1/kv/lab/eleven`, { method: 'PUT', body: 'eleven from the API' })
    await page.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => page.locator('[data-testid=kv-message]').innerText()).toContain('changed by someone else')
    expect(await (await fetch(`${base}/v1/kv/lab/eleven?raw`)).text()).toBe('eleven from the API')
    await page.getByRole('button', { name: 'Load their value' }).click()
    await page.getByLabel('Value (text)').fill('eleven, merged')
    await page.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => page.locator('[data-testid=kv-message]').innerText()).toBe('Saved.')
    expect(await (await fetch(`${base}/v1/kv/lab/eleven?raw`)).text()).toBe('eleven, merged')
  })

  it('deletes a folder recursively after confirmation', async () => {
    const { page } = browser
    await page.goto(`${base}/ui/dc1/kv/lab/`)
    await page.getByRole('button', { name: 'Delete folder' }).click()
    await page.getByRole('button', { name: 'Yes, delete' }).click()
    await page.waitForURL(`${base}/ui/dc1/kv/`)
    expect((await fetch(`${base}/v1/kv/lab/?recurse`)).status).toBe(404)
  })

  it('shows this server as Raft leader in the Raft view', async () => {
    const { page } = browser
    await page.goto(`${base}/ui/dc1/raft`)
    await expect.poll(() => page.locator('tr[data-server="n1"]').getAttribute('data-role')).toBe('leader')
    await shot(page, 'agent-raft-single')
  })
})
