/**
 * agent/agent-gossip.ts: how the agent starts its gossip pools and which tags it gossips.
 * Tags follow Consul's (role consul|node, dc, id, port, expect, bootstrap, vsn, raft_vsn, build)
 * plus `http`, the HTTP port other agents (the UI's fan-out) reach us on.
 */
import type { Logger } from './agent-log.js'
import type { RuntimeConfig } from './config/types.js'
import type { GossipPool } from './gossip/api.js'
import type { Keyring } from './gossip/crypto.js'
import { buildInfo } from './version.js'

/** GossipStartOptions are what GossipPool.start takes (agent/gossip/pool.ts). */
export interface GossipStartOptions {
  name: string
  bindAddr: string
  bindPort: number
  advertiseAddr: string
  advertisePort: number
  tags: Record<string, string>
  keyring?: Keyring
  profile: 'lan' | 'wan' | 'local'
  /** dataDir is the agent's data dir; poolName picks the pool's snapshot file in it. */
  dataDir?: string
  poolName: 'lan' | 'wan'
  log: Logger
}

/** GossipStarter starts one pool. */
export type GossipStarter = (options: GossipStartOptions) => Promise<GossipPool>

/** lanTags are the LAN tags of this agent. */
export function lanTags(config: RuntimeConfig, nodeId: string): Record<string, string> {
  const build = buildInfo()
  const tags: Record<string, string> = {
    role: config.server ? 'consul' : 'node',
    dc: config.datacenter,
    id: nodeId,
    vsn: String(config.protocol),
    vsn_min: '2',
    vsn_max: '3',
    build: `${build.version}:${build.revision}`,
    http: String(config.ports.http),
  }
  if (config.server) {
    tags.port = String(config.ports.server)
    tags.raft_vsn = String(build.raftProtocol)
    if (config.bootstrapExpect > 0) tags.expect = String(config.bootstrapExpect)
    if (config.bootstrap) tags.bootstrap = '1'
    tags.wan_join_port = String(config.ports.serfWan)
  }
  return tags
}

/** gossipProfileFor picks the timing profile: 'local' for -dev or ZX_GOSSIP_PROFILE=local, else 'lan'. */
export function gossipProfileFor(config: RuntimeConfig, env: Record<string, string | undefined> = process.env): 'lan' | 'local' {
  if (env.ZX_GOSSIP_PROFILE === 'local' || env.ZX_GOSSIP_PROFILE === 'lan') return env.ZX_GOSSIP_PROFILE
  return config.dev ? 'local' : 'lan'
}
