/**
 * test/bench/raft/server.ts: one benchmark Raft server process. It runs a RaftNode with the
 * in-memory KvFsm on 127.0.0.1 (fsync on, real WAL in --dir) and serves rpc methods on its
 * RpcServer for the load generator: bench.put {k, v} → propose and answer once applied,
 * bench.status → RaftStatus, bench.get {k, mode} → value after a read barrier, and
 * bench.keys → how many keys (after a consistent barrier). Started by bench.ts and the crash test; stops on SIGTERM.
 *
 *   node server.js --id n1 --port 21301 --dir /tmp/x/n1 --peers n1=127.0.0.1:21301,n2=…,n3=…
 */
import { parseArgs } from 'node:util'
import { RaftNode } from '../../../agent/raft/node.js'
import { consoleLogger } from '../../../agent/raft/node-log.js'
import { RpcClientPool } from '../../../agent/rpc/client-pool.js'
import { RpcServer } from '../../../agent/rpc/server.js'
import { KvFsm, encodePut } from './kv-fsm.js'

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      id: { type: 'string' }, port: { type: 'string' }, dir: { type: 'string' }, peers: { type: 'string' },
      'tick-ms': { type: 'string', default: '50' },
    },
  })
  const id = values.id!
  const port = Number(values.port)
  const peers = values.peers!.split(',').map((p) => p.split('=') as [string, string])
  const log = consoleLogger(`raft.${id}`, 'warn')
  const rpc = await RpcServer.listen({ host: '127.0.0.1', port, log })
  const pool = new RpcClientPool({ log })
  const fsm = new KvFsm()
  const node = await RaftNode.open({
    id, dataDir: values.dir!, advertiseAddress: `127.0.0.1:${port}`, fsm, rpc, pool, log, tickMs: Number(values['tick-ms']),
  })
  if (!node.hasState()) await node.bootstrap(peers.map(([peerId, address]) => ({ id: peerId, address, voter: true })))
  rpc.handle('bench.put', async (args) => {
    const { k, v } = args as { k: string; v: string }
    return (await node.propose(encodePut(k, v))).index
  })
  rpc.handle('bench.status', async () => node.status())
  rpc.handle('bench.get', async (args) => {
    const { k, mode } = args as { k: string; mode?: 'leader' | 'consistent' | 'stale' }
    await node.readBarrier(mode ?? 'consistent')
    return fsm.data.get(k) ?? null
  })
  rpc.handle('bench.keys', async () => {
    await node.readBarrier('consistent')
    return fsm.data.size
  })
  process.stdout.write(`ready ${id}\n`)
  const stop = async (): Promise<void> => {
    await node.close()
    pool.close()
    await rpc.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop())
  process.on('SIGINT', () => void stop())
}

main().catch((error: unknown) => {
  process.stderr.write(`bench server failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
