/**
 * agent/leader/bootstrap.ts: Consul's bootstrap-expect (server_serf.go maybeBootstrap). A server
 * with Raft state never bootstraps ("raft data found, disabling bootstrap mode"). Otherwise it
 * waits until `expect` servers of its datacenter are alive in LAN gossip, refuses if any of them
 * advertises a different expect, asks each for its Raft peers (someone already in a cluster means
 * we will be added by its leader instead), and then bootstraps Raft with all of them as voters.
 * Every server does the same with the same list, so they agree on the first configuration.
 */
import type { Logger } from '../agent-log.js'
import { leaderDefaults } from '../config/defaults.js'
import type { RpcRouter } from '../endpoints/router.js'
import type { GossipPool } from '../gossip/api.js'
import type { RaftApi } from '../raft/api.js'
import { isAlive, serverMembers } from './servers.js'

/** BootstrapOptions configure the bootstrap loop. */
export interface BootstrapOptions {
  raft: RaftApi
  lan: GossipPool
  router: RpcRouter
  dc: string
  expect: number
  self: { id: string; address: string }
  log: Logger
}

/** runBootstrap bootstraps once (single-server -bootstrap) or waits for bootstrap-expect peers; stop() cancels. */
export function runBootstrap(options: BootstrapOptions): { stop: () => void; done: Promise<void> } {
  let stopped = false
  const { raft, log } = options
  const done = (async () => {
    if (raft.hasState()) {
      log.info('raft data found, disabling bootstrap mode')
      return
    }
    if (options.expect === 1) {
      await raft.bootstrap([{ ...options.self, voter: true }])
      log.info('bootstrapped a single-server cluster', { id: options.self.id })
      return
    }
    while (!stopped) {
      if (await tryBootstrap(options)) return
      await new Promise((resolve) => setTimeout(resolve, leaderDefaults.bootstrapRetryMs))
    }
  })().catch((error: Error) => log.error('bootstrap failed', { error: error.message }))
  return { stop: () => { stopped = true }, done }
}

async function tryBootstrap(options: BootstrapOptions): Promise<boolean> {
  const { raft, log } = options
  if (raft.status().configuration.length > 0) {
    log.info('raft configuration present, disabling bootstrap mode')
    return true
  }
  const servers = serverMembers(options.lan, options.dc).filter((s) => isAlive(s.status))
  const conflicting = servers.find((s) => s.bootstrap || (s.expect !== 0 && s.expect !== options.expect))
  if (conflicting !== undefined) {
    log.error('member has a conflicting expect value; all nodes should expect the same number', { member: conflicting.name, expect: conflicting.expect })
    return false
  }
  if (servers.length < options.expect) return false
  for (const server of servers) {
    if (server.id === options.self.id) continue
    let peers: string[]
    try {
      peers = await options.router.callAt(server.address, 'Status.Peers', {}, 2_000) as string[]
    } catch (error) {
      log.debug('failed to confirm peer status', { peer: server.name, error: (error as Error).message })
      return false
    }
    if (peers.length > 0) {
      log.info('existing Raft peers reported by server, disabling bootstrap mode', { server: server.name })
      return true
    }
  }
  log.info('found expected number of peers, attempting bootstrap', { peers: servers.map((s) => s.address).join(',') })
  await raft.bootstrap(servers.map((s) => ({ id: s.id, address: s.address, voter: true })))
  return true
}
