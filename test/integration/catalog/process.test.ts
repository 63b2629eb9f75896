// Goal (issue 4 acceptance on real processes): three servers and a client started as separate
// `zx agent` processes with real UDP/TCP gossip on 127.0.0.1: an HTTP check on the client and a
// TTL check on a server; a blocking `?passing` watch on another server drops the client's
// instance soon after its HTTP target dies; real `dig` sees only the healthy instance (server and
// client DNS); a user event fired on the client reaches a server; kill -9 of the client turns its
// serfHealth critical. Method: agent/main.ts bundled with esbuild, processes on ports
// 24860–24899 with the 'local' gossip profile, plain fetch + /usr/bin/dig.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = mkdtempSync(join(tmpdir(), 'zx-catalog-proc-'))
// The bundle lives inside the checkout so its external packages resolve from node_modules.
const bundle = join(process.cwd(), 'node_modules', '.cache', 'zx-catalog-proc', 'agent.mjs')
const procs = new Map<number, ChildProcess>()
const http = (i: number): number => 24860 + i
const dns = (i: number): number => 24870 + i
const api = (i: number, path: string): string => `http://127.0.0.1:${http(i)}${path}`
const targetPort = 24899
let target: Server | undefined
const run = promisify(execFile)

function startAgent(i: number): void {
  const args = ['-node', `node${i}`, '-data-dir', join(root, `node${i}`), '-bind', '127.0.0.1', '-client', '127.0.0.1',
    '-http-port', String(http(i)), '-server-port', String(24880 + i), '-serf-lan-port', String(24890 + i), '-serf-wan-port', String(24850 + i),
    '-dns-port', String(dns(i))]
  if (i > 1) args.push('-retry-join', `127.0.0.1:${24891}`)
  if (i <= 3) args.push('-server', '-bootstrap-expect=3')
  const child = spawn(process.execPath, [bundle, ...args], { env: { ...process.env, ZX_GOSSIP_PROFILE: 'local' }, stdio: 'ignore' })
  procs.set(i, child)
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await fn().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

async function get(i: number, path: string): Promise<{ body: any; index: string | null }> {
  const response = await fetch(api(i, path))
  return { body: await response.json(), index: response.headers.get('x-consul-index') }
}

const dig = async (port: number, ...q: string[]): Promise<string> => (await run('dig', ['@127.0.0.1', '-p', String(port), '+short', '+time=2', '+tries=1', ...q])).stdout.trim()

beforeAll(async () => {
  await build({ stdin: { contents: "import { runAgent } from './agent/main.js'\nrunAgent(process.argv.slice(2)).then((code) => process.exit(code), () => process.exit(1))", resolveDir: process.cwd(), loader: 'ts' },
    bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: bundle, logLevel: 'warning' })
  target = createServer((_req, res) => res.end('ok'))
  await new Promise<void>((resolve) => target!.listen(targetPort, '127.0.0.1', resolve))
  startAgent(1)
  await until('node1 HTTP', async () => (await fetch(api(1, '/v1/agent/self'))).ok || undefined)
  for (const i of [2, 3, 4]) startAgent(i)
  await until('a leader and four catalog nodes', async () => {
    const nodes = (await get(4, '/v1/catalog/nodes')).body
    return Array.isArray(nodes) && nodes.length === 4 ? nodes : undefined
  }, 60_000)
}, 120_000)

afterAll(async () => {
  for (const child of procs.values()) child.kill('SIGKILL')
  target?.closeAllConnections()
  await new Promise((resolve) => (target?.listening ? target.close(resolve) : resolve(undefined)))
  rmSync(root, { recursive: true, force: true })
})

describe('catalog on real agent processes', () => {
  it('drops the dead HTTP instance from a blocking watch and from DNS', async () => {
    await fetch(api(4, '/v1/agent/service/register'), { method: 'PUT', body: JSON.stringify({ Name: 'web', ID: 'web4', Port: targetPort, Check: { HTTP: `http://127.0.0.1:${targetPort}/`, Interval: '1s' } }) })
    await fetch(api(1, '/v1/agent/service/register'), { method: 'PUT', body: JSON.stringify({ name: 'web', id: 'web1', port: 9001, check: { ttl: '60s', status: 'passing' } }) })
    const healthy = await until('two passing instances', async () => {
      const reply = await get(2, '/v1/health/service/web?passing')
      return reply.body.length === 2 ? reply : undefined
    })
    const watch = get(2, `/v1/health/service/web?passing&index=${healthy.index}&wait=30s`)
    const killedAt = Date.now()
    target!.closeAllConnections()
    await new Promise((resolve) => target!.close(resolve))
    const woke = await watch
    expect(woke.body.map((e: { Service: { ID: string } }) => e.Service.ID)).toEqual(['web1'])
    expect(Date.now() - killedAt).toBeLessThan(3_000)
    expect(await dig(dns(2), 'web.service.consul', 'SRV')).toBe('1 1 9001 node1.node.dc1.consul.')
    await until('client DNS cache refreshed', async () => ((await dig(dns(4), 'web.service.consul', 'SRV')) === '1 1 9001 node1.node.dc1.consul.' ? true : undefined), 5_000)
  })

  it('gossips a user event from the client to a server', async () => {
    const fired = await (await fetch(api(4, '/v1/event/fire/deploy?service=web'), { method: 'PUT', body: 'v2' })).json() as { ID: string }
    const seen = await until('event on node1', async () => {
      const { body } = await get(1, '/v1/event/list?name=deploy')
      return body.length === 1 ? body : undefined
    }, 10_000)
    expect(seen[0]).toMatchObject({ ID: fired.ID, Payload: Buffer.from('v2').toString('base64'), ServiceFilter: 'web' })
  })

  it('marks a kill -9ed client critical through gossip', async () => {
    procs.get(4)!.kill('SIGKILL')
    const serf = await until('serfHealth critical for node4', async () => {
      const { body } = await get(1, '/v1/health/node/node4')
      return body.find?.((c: { CheckID: string; Status: string }) => c.CheckID === 'serfHealth' && c.Status === 'critical')
    }, 30_000)
    expect(serf.Output).toBe('Agent not live or unreachable')
  })
})
