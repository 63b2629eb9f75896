/**
 * test/integration/raft/harness.ts: starts RaftNodes in this process on 127.0.0.1 with real
 * data dirs, each with its own RpcServer and RpcClientPool (as separate agents would have),
 * and offers the polling helpers the cluster tests share. Ports come from H2's range.
 */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { ServerInfo } from '../../../agent/raft/api.js'
import { RaftNode, type RaftNodeOptions } from '../../../agent/raft/node.js'
import { RpcClientPool } from '../../../agent/rpc/client-pool.js'
import { RpcServer } from '../../../agent/rpc/server.js'
import { KvFsm } from '../../bench/raft/kv-fsm.js'

/** TestServer is one running Raft server and its parts. */
export interface TestServer {
  id: string
  address: string
  dir: string
  node: RaftNode
  fsm: KvFsm
  rpc: RpcServer
  pool: RpcClientPool
}

const roots: string[] = []

/** makeDirs creates one temp data dir per server (removed by removeDirs). */
export async function makeDirs(n: number): Promise<string[]> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'zx-raft-it-'))
  roots.push(root)
  return Array.from({ length: n }, (_, i) => path.join(root, `n${i + 1}`))
}

/** removeDirs deletes every dir makeDirs created in this test file. */
export async function removeDirs(): Promise<void> {
  for (const root of roots.splice(0)) await fs.rm(root, { recursive: true, force: true })
}

/** startServer opens a RaftNode on 127.0.0.1:port with a fresh KvFsm. */
export async function startServer(id: string, port: number, dir: string, extra: Partial<RaftNodeOptions> = {}): Promise<TestServer> {
  const rpc = await RpcServer.listen({ host: '127.0.0.1', port })
  const pool = new RpcClientPool({ limits: { backoffMinMs: 20, backoffMaxMs: 200 } })
  const fsm = new KvFsm()
  const address = `127.0.0.1:${port}`
  const node = await RaftNode.open({ id, dataDir: dir, advertiseAddress: address, fsm, rpc, pool, tickMs: 20, ...extra })
  return { id, address, dir, node, fsm, rpc, pool }
}

/** stopServer closes a server's node, listener and connections. */
export async function stopServer(server: TestServer): Promise<void> {
  await server.node.close()
  server.pool.close()
  await server.rpc.close()
}

/** serverInfos lists servers as voters for bootstrap. */
export function serverInfos(servers: TestServer[]): ServerInfo[] {
  return servers.map((s) => ({ id: s.id, address: s.address, voter: true }))
}

/** until polls `check` every 20 ms until it returns a value, failing after ms. */
export async function until<T>(what: string, check: () => T | undefined | false, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** leaderOf returns the one server all live servers agree leads, if any. */
export function leaderOf(servers: TestServer[]): TestServer | undefined {
  const leaders = servers.filter((s) => s.node.status().role === 'leader')
  if (leaders.length !== 1) return undefined
  const leader = leaders[0]!
  return servers.every((s) => s.node.status().leaderId === leader.id) ? leader : undefined
}
