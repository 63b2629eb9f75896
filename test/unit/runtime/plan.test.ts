// Goal: the cluster plan matches the seed lab exactly: node1–node3 servers with
// `agent -server -bootstrap-expect=3 -node=nodeN -bind=0.0.0.0 -client=0.0.0.0 -ui`,
// node2/node3 `-join=node1`, node4 a client with `-retry-join=node1`; host ports = container
// port + 1000·(n−1) on 127.0.0.1 for 8300, 8301 tcp/udp, 8302 tcp/udp, 8400, 8500, 8600
// tcp/udp; process nodes get their own port set and join node1's gossip port.
// Method: the pure planning functions, compared with the seed's literal values.
import { describe, expect, it } from 'vitest'
import { planNodes } from '../../../src/cluster/layout.js'
import { dockerAgentArgs, processAgentArgs, processBindAddress } from '../../../src/cluster/agent-args.js'
import { demux, localConfig, portBindings } from '../../../src/runtime/docker.js'
import { upTimings } from '../../../src/cluster/up.js'

const nodes = planNodes(3, 1)

describe('seed plan', () => {
  it('gives docker nodes the seed\'s flags', () => {
    expect(dockerAgentArgs(nodes[0]!, nodes)).toEqual(['agent', '-server', '-bootstrap-expect=3', '-node=node1', '-bind=0.0.0.0', '-client=0.0.0.0', '-ui'])
    expect(dockerAgentArgs(nodes[2]!, nodes)).toEqual(['agent', '-server', '-bootstrap-expect=3', '-node=node3', '-bind=0.0.0.0', '-client=0.0.0.0', '-ui', '-join=node1'])
    expect(dockerAgentArgs(nodes[3]!, nodes)).toEqual(['agent', '-node=node4', '-bind=0.0.0.0', '-client=0.0.0.0', '-ui', '-retry-join=node1'])
  })

  it('maps node4\'s ports to 11300–11600 on 127.0.0.1, tcp and udp where the seed does', () => {
    const bindings = portBindings(nodes[3]!)
    expect(Object.fromEntries(Object.entries(bindings).map(([k, v]) => [k, `${v[0]!.HostIp}:${v[0]!.HostPort}`]))).toEqual({
      '8300/tcp': '127.0.0.1:11300', '8301/tcp': '127.0.0.1:11301', '8301/udp': '127.0.0.1:11301',
      '8302/tcp': '127.0.0.1:11302', '8302/udp': '127.0.0.1:11302', '8400/tcp': '127.0.0.1:11400',
      '8500/tcp': '127.0.0.1:11500', '8600/tcp': '127.0.0.1:11600', '8600/udp': '127.0.0.1:11600',
    })
  })

  it('gives process nodes their own ports and node1\'s gossip address to join', () => {
    const compact = planNodes(3, 1, 25000)
    const args = processAgentArgs(compact[3]!, compact, '/d')
    expect(args).toContain('-retry-join=127.0.0.1:25001')
    expect(args).toContain('-http-port=25034')
    expect(args).toContain('-bind=127.0.0.1')
    expect(args).not.toContain('-server')
    // Nodes start together, so joiners retry fast; node1 joins nobody.
    expect(args).toContain('-retry-interval=200ms')
    expect(processAgentArgs(compact[0]!, compact, '/d').some((a) => a.startsWith('-retry-interval'))).toBe(false)
  })

  it('gives process nodes on Linux their own loopback address per cluster, and joins through it', () => {
    const compact = planNodes(3, 1, 25000)
    const a = compact.map((n) => processBindAddress('lab', n, 'linux'))
    expect(new Set(a).size).toBe(4)
    for (const [i, address] of a.entries()) expect(address).toMatch(new RegExp(`^127\\.(1\\d\\d)\\.\\d+\\.${i + 1}$`))
    expect(a.map((x) => x.split('.').slice(0, 3).join('.'))).toEqual(Array(4).fill(a[0]!.split('.').slice(0, 3).join('.')))
    expect(processBindAddress('other', compact[0]!, 'linux')).not.toBe(a[0])
    expect(processBindAddress('lab', compact[0]!, 'darwin')).toBe('127.0.0.1')
    const args = processAgentArgs(compact[3]!, compact, '/d', (n) => processBindAddress('lab', n, 'linux'))
    expect(args).toContain(`-bind=${a[3]}`)
    expect(args).toContain('-client=127.0.0.1')
    expect(args).toContain(`-retry-join=${a[0]}:25001`)
  })

  it('times up from the first spawn and from the zx process start', () => {
    const leader = { node: 'node1', address: '127.0.0.1:25000', term: 2 }
    const t = upTimings({ started: ['node1'], alreadyRunning: [], firstSpawnAt: 10_000 }, { leader, elapsedMs: 900, leaderAt: 10_700, healthyAt: 10_900 }, 9_500)
    expect(t).toEqual({ spawnToLeaderMs: 700, spawnToHealthyMs: 900, commandToLeaderMs: 1_200, commandToHealthyMs: 1_400 })
    expect(upTimings({ started: [], alreadyRunning: ['node1'] }, { leader, elapsedMs: 1, leaderAt: 1, healthyAt: 1 })).toBeUndefined()
  })

  it('gives docker joiners a short join retry in CONSUL_LOCAL_CONFIG, not in their flags', () => {
    expect(localConfig(nodes[0]!, nodes)).toEqual({ skip_leave_on_interrupt: true })
    expect(localConfig(nodes[1]!, nodes)).toEqual({ skip_leave_on_interrupt: true, retry_interval: '200ms' })
    expect(localConfig(nodes[3]!, nodes)).toEqual({ leave_on_terminate: true, retry_interval: '200ms' })
  })

  it('splits docker\'s multiplexed log frames', () => {
    const frame = (stream: number, text: string) => Buffer.concat([Buffer.from([stream, 0, 0, 0, 0, 0, 0, text.length]), Buffer.from(text)])
    expect(demux(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')])).toString()).toBe('out\nerr\n')
  })
})
