// Goal: the seed lab as real processes: `node bin/run.js agent` ×3 servers with
// -bootstrap-expect=3 and a client with -retry-join elect a leader over real UDP gossip and TCP
// Raft; kv put on node1 reads on node2 and the client; one server down keeps writing; two down
// gives `No cluster leader`; restarts keep data; kill -9 of every server loses no acknowledged
// write; a client's SIGTERM is a graceful leave.
// Method: child processes on 127.0.0.1 ports 23500–23599 (needs `npx tsc -p tsconfig.json` first:
// npm run test:integration builds), driven over HTTP with fetch.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = mkdtempSync(join(tmpdir(), 'zx-proc-'))
const procs = new Map<number, ChildProcess>()
const logs = new Map<number, string[]>()
const http = (i: number): string => `http://127.0.0.1:${23500 + i}`

function argv(i: number): string[] {
  const args = ['bin/run.js', 'agent', `-node=node${i}`, '-data-dir', join(root, `node${i}`), '-bind=127.0.0.1', '-client=127.0.0.1',
    `-http-port=${23500 + i}`, `-server-port=${23510 + i}`, `-serf-lan-port=${23520 + i}`, `-serf-wan-port=${23530 + i}`,
    `-dns-port=${23540 + i}`, '-retry-join', '127.0.0.1:23521', '-retry-interval=1s', '-log-level=debug']
  if (i <= 3) args.push('-server', '-bootstrap-expect=3')
  return args
}

function start(i: number): void {
  const child = spawn(process.execPath, argv(i), { env: { ...process.env, ZX_GOSSIP_PROFILE: 'local' }, stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = logs.get(i) ?? []
  logs.set(i, lines)
  const keep = (chunk: Buffer): void => { lines.push(...chunk.toString().split('\n')); if (lines.length > 2_000) lines.splice(0, lines.length - 2_000) }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  procs.set(i, child)
}

async function kill(i: number, signal: NodeJS.Signals): Promise<void> {
  const child = procs.get(i)
  if (child === undefined || child.exitCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill(signal)
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
  if (child.exitCode === null && child.signalCode === null) { child.kill('SIGKILL'); await exited }
  procs.delete(i)
}

// Generous waits: four Node processes starting at once on a loaded 2-core machine take a while.
async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await fn().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${[...logs].map(([i, l]) => `--- node${i}\n${l.slice(-30).join('\n')}`).join('\n')}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

const leaderOf = (i: number, not?: string) => until(`a leader on node${i}`, async () => {
  const leader = await (await fetch(`${http(i)}/v1/status/leader`)).json() as string
  return leader === '' || leader === not ? undefined : leader
})

const put = async (i: number, key: string, value: string): Promise<Response> =>
  fetch(`${http(i)}/v1/kv/${key}`, { method: 'PUT', body: value, signal: AbortSignal.timeout(15_000) })

beforeAll(() => {
  if (!existsSync('dist/agent/main.js')) throw new Error('dist/ is missing: run `npx tsc -p tsconfig.json` (npm run test:integration does)')
  for (const i of [1, 2, 3, 4]) start(i)
})

afterAll(async () => {
  for (const i of [...procs.keys()]) await kill(i, 'SIGKILL')
  if (process.env.ZX_TEST_LOGS !== undefined) {
    const { writeFileSync } = await import('node:fs')
    writeFileSync(process.env.ZX_TEST_LOGS, [...logs].map(([i, l]) => `--- node${i}\n${l.join('\n')}`).join('\n'))
  }
  rmSync(root, { recursive: true, force: true })
})

describe('seed lab as processes', () => {
  it('elects one leader seen by every node, the client included', async () => {
    const leader = await leaderOf(1)
    for (const i of [2, 3, 4]) expect(await leaderOf(i)).toBe(leader)
    const members = await until('4 members', async () => {
      const list = await (await fetch(`${http(4)}/v1/agent/members`)).json() as { Name: string; Status: number }[]
      return list.filter((m) => m.Status === 1).length === 4 ? list : undefined
    })
    expect(members.map((m) => m.Name).sort()).toEqual(['node1', 'node2', 'node3', 'node4'])
  }, 240_000)

  it('puts on node1 and gets on node2 and the client', async () => {
    expect(await (await put(1, 'eleven', '11')).json()).toBe(true)
    expect(await (await fetch(`${http(2)}/v1/kv/eleven?raw`)).text()).toBe('11')
    expect(await (await fetch(`${http(4)}/v1/kv/eleven?raw`)).text()).toBe('11')
  })

  it('keeps writing with one server down, refuses with two down, recovers on restart', async () => {
    const leader = await leaderOf(1)
    const down = Number(leader.split(':')[1]) - 23510
    const [a, b] = [1, 2, 3].filter((i) => i !== down) as [number, number]
    await kill(down, 'SIGKILL')
    await leaderOf(a, leader)
    expect(await (await put(a, 'one-down', 'x')).json()).toBe(true)
    await kill(b, 'SIGKILL')
    // A write in flight to the just-killed server may end as "outcome unknown" (500); after that
    // every write must be refused with No cluster leader.
    const answers: string[] = []
    for (let attempt = 0; attempt < 10 && answers.at(-1) !== 'No cluster leader\n'; attempt++) {
      const refused = await put(a, 'two-down', 'x')
      expect(refused.status).toBe(500)
      answers.push(await refused.text())
    }
    expect(answers.at(-1)).toBe('No cluster leader\n')
    start(down)
    start(b)
    await until('writable again', async () => ((await put(4, 'recovered', 'y')).status === 200 ? true : undefined), 120_000)
    for (const key of ['eleven', 'one-down', 'recovered']) expect((await fetch(`${http(down)}/v1/kv/${key}`)).status).toBe(200)
  }, 240_000)

  it('loses no acknowledged write when every server is killed -9', async () => {
    const acked: string[] = []
    let stop = false
    const writer = (async () => {
      for (let n = 0; n < 10_000 && !stop; n++) {
        const res = await put(1 + (n % 3), `durable/${n}`, String(n)).catch(() => undefined)
        if (res?.status === 200 && (await res.json()) === true) acked.push(`durable/${n}`)
      }
    })()
    await until('some acknowledged writes', async () => (acked.length >= 20 ? true : undefined))
    await Promise.all([1, 2, 3].map((i) => kill(i, 'SIGKILL')))
    stop = true
    await writer
    for (const i of [1, 2, 3]) start(i)
    await leaderOf(1)
    const keys = await until('keys readable', async () => {
      const res = await fetch(`${http(2)}/v1/kv/durable/?keys`)
      return res.status === 200 ? await res.json() as string[] : undefined
    }, 120_000)
    const missing = acked.filter((key) => !keys.includes(key))
    expect(missing).toEqual([])
  }, 240_000)

  it('a client leaves gracefully on SIGTERM', async () => {
    await kill(4, 'SIGTERM')
    await until('node4 left', async () => {
      const list = await (await fetch(`${http(1)}/v1/agent/members`)).json() as { Name: string; Status: number }[]
      return list.find((m) => m.Name === 'node4')?.Status === 3 ? true : undefined
    })
  }, 120_000)
})
