// Goal: the seed lab on a real Docker engine, one zx command per manual step: the agent image
// builds offline; `cluster up` runs node1–node4 (3 servers, 1 client) on the seed's ports; 4
// members alive, 3 voters; a key written on node1 reads back on node2 and node4; partition
// --from cuts exactly the node3–node2 link (both ways, checked by TCP from each netns); kill-leader
// elects a new leader and no key is lost; with a second server stopped, writes are refused
// with a clear "no quorum" message; starting both back keeps the data; `cluster down
// --volumes` leaves no container, network or volume with the cluster label.
// Method: the built CLI (bin/run.js) against /var/run/docker.sock; one test file, run alone
// (it uses the real seed ports 8300–11600; set ZX_BASE_PORT to map the nodes elsewhere when
// another lab already holds them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Docker from 'dockerode'
import { json, zx } from '../../integration/labkit/zx.js'

const home = mkdtempSync(join(tmpdir(), 'zx-e2e-'))
const docker = ['--runtime', 'docker']
const engine = new Docker()

beforeAll(async () => {
  const build = await zx(home, ['image', 'build'], 300_000)
  if (build.exitCode !== 0) throw new Error(`image build failed: ${build.stderr}`)
})
afterAll(async () => {
  await zx(home, ['cluster', 'down', ...docker, '--volumes'])
  rmSync(home, { recursive: true, force: true })
})

/** canConnect opens TCP from one container's network namespace to another's HTTP port (8500). */
async function canConnect(from: string, to: string): Promise<boolean> {
  const [a, b] = await Promise.all([engine.getContainer(from).inspect(), engine.getContainer(to).inspect()])
  const ip = Object.values(b.NetworkSettings.Networks)[0]?.IPAddress
  const probe = `const s=require('net').connect(8500,'${ip}');s.setTimeout(1500,()=>process.exit(1));s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1))`
  const result = spawnSync('nsenter', ['-t', String(a.State.Pid), '-n', process.execPath, '-e', probe], { timeout: 10_000 })
  return result.status === 0
}

describe('seed lab on Docker', () => {
  it('builds the image offline as a non-root user with the content hash label', async () => {
    const image = await engine.getImage('zx-agent:latest').inspect()
    expect(image.Config.User).toBe('node')
    expect(image.Config.Labels['org.zx.content-hash']).toMatch(/^[0-9a-f]{16}$/)
    const again = await zx(home, ['image', 'build'])
    expect(again.stdout).toContain('Up to date')
  })

  it('runs the cluster: 4 alive members, 3 voters, a key visible everywhere', async () => {
    const up = await zx(home, ['cluster', 'up', ...docker, '--timeout', '90'], 180_000)
    expect(up.exitCode, up.stderr).toBe(0)
    expect(up.stdout).toMatch(/UI: http:\/\/127\.0\.0\.1:\d+\/ui\//)
    const members = json<{ members: Array<{ Name: string; Status: number }> }>(await zx(home, ['members', '--json']))
    expect(members.members.filter((m) => m.Status === 1)).toHaveLength(4)
    const peers = json<{ servers: Array<{ Voter: boolean }> }>(await zx(home, ['raft', 'list-peers', '--json']))
    expect(peers.servers.filter((s) => s.Voter)).toHaveLength(3)
    expect((await zx(home, ['kv', 'put', 'eleven', '11'])).exitCode).toBe(0)
    expect((await zx(home, ['kv', 'get', 'eleven', '--node', 'node2'])).stdout).toBe('11\n')
    expect((await zx(home, ['kv', 'get', 'eleven', '--node', 'node4'])).stdout).toBe('11\n')
    const again = await zx(home, ['cluster', 'up', ...docker])
    expect(again.stdout).toContain('already runs')
  })

  it('partition --from cuts exactly one link, both directions, and heal restores it', async () => {
    const cut = await zx(home, ['chaos', 'partition', ...docker, 'node3', '--from', 'node2'])
    expect(cut.exitCode, cut.stderr).toBe(0)
    expect(cut.stdout).toContain('both directions')
    const status = json<{ nodes: Array<{ name: string; partitioned: boolean }> }>(await zx(home, ['cluster', 'status', ...docker, '--json']))
    expect(status.nodes.filter((n) => n.partitioned).map((n) => n.name)).toEqual(['node3'])
    expect(await canConnect('node2', 'node3')).toBe(false)
    expect(await canConnect('node3', 'node2')).toBe(false)
    expect(await canConnect('node1', 'node3')).toBe(true)
    expect(await canConnect('node3', 'node1')).toBe(true)
    expect(await canConnect('node2', 'node1')).toBe(true)
    expect(await canConnect('node4', 'node3')).toBe(true)
    const healed = await zx(home, ['chaos', 'heal', ...docker])
    expect(healed.stdout).toContain('Healed node3')
    expect(await canConnect('node2', 'node3')).toBe(true)
    expect(await canConnect('node3', 'node2')).toBe(true)
  })

  it('survives kill-leader, refuses writes without quorum, and keeps data after restart', async () => {
    const killed = json<{ oldLeader: string; newLeader: string }>(await zx(home, ['chaos', 'kill-leader', ...docker, '--json'], 120_000))
    expect(killed.newLeader).not.toBe(killed.oldLeader)
    const survivors = ['node1', 'node2', 'node3'].filter((n) => n !== killed.oldLeader)
    expect((await zx(home, ['kv', 'get', 'eleven', '--node', survivors[0]!])).stdout).toBe('11\n')
    expect((await zx(home, ['cluster', 'stop', ...docker, survivors[1]!])).exitCode).toBe(0)
    const refused = await zx(home, ['kv', 'put', 'twelve', '12', '--node', survivors[0]!], 60_000)
    expect(refused.exitCode).toBe(1)
    expect(refused.stderr).toMatch(/no quorum|no answer/)
    expect((await zx(home, ['cluster', 'start', ...docker, killed.oldLeader])).exitCode).toBe(0)
    expect((await zx(home, ['cluster', 'start', ...docker, survivors[1]!])).exitCode).toBe(0)
    const healthy = await zx(home, ['cluster', 'up', ...docker, '--timeout', '90'], 180_000)
    expect(healthy.exitCode, healthy.stderr).toBe(0)
    expect((await zx(home, ['kv', 'get', 'eleven', '--node', killed.oldLeader])).stdout).toBe('11\n')
  })

  it('cluster down --volumes leaves nothing with the cluster label', async () => {
    expect((await zx(home, ['cluster', 'down', ...docker, '--volumes'])).exitCode).toBe(0)
    const filters = { label: ['zx.cluster=zx'] }
    expect(await engine.listContainers({ all: true, filters })).toHaveLength(0)
    expect(await engine.listNetworks({ filters })).toHaveLength(0)
    expect((await engine.listVolumes({ filters })).Volumes ?? []).toHaveLength(0)
  })
})
