/**
 * src/cluster/address.ts: which agent a command talks to. Precedence: `--node nodeN` (looked up
 * in the cluster's cluster.json, else the seed table 127.0.0.1:8500 + 1000·(n−1)), then
 * `--http-addr`, then ZX_HTTP_ADDR / CONSUL_HTTP_ADDR, then node1 of the cluster.
 */
import { LabError } from '../errors.js'
import { nodeIndex, seedPorts } from './layout.js'
import { readClusterState } from './state.js'

/** AddressInput is what the user gave. */
export interface AddressInput {
  node?: string
  httpAddr?: string
  cluster: string
  env?: NodeJS.ProcessEnv
}

/** resolveHttpAddress returns the `http://host:port` of the agent to talk to. */
export async function resolveHttpAddress(input: AddressInput): Promise<string> {
  const env = input.env ?? process.env
  if (input.node !== undefined) return nodeAddress(input.cluster, input.node, env)
  if (input.httpAddr !== undefined && input.httpAddr !== '') return input.httpAddr
  const fromEnv = env.ZX_HTTP_ADDR ?? env.CONSUL_HTTP_ADDR
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  return nodeAddress(input.cluster, 'node1', env)
}

/** nodeAddress finds a lab node's HTTP address by name. */
export async function nodeAddress(cluster: string, node: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const state = await readClusterState(cluster, env)
  const planned = state?.nodes.find((n) => n.name === node)
  if (planned !== undefined) return `http://127.0.0.1:${planned.ports.http}`
  const n = nodeIndex(node)
  if (n === undefined) {
    throw new LabError('ZX_ERR_USAGE', `unknown node ${JSON.stringify(node)}: use node1, node2, … (or --http-addr host:port)`)
  }
  return `http://127.0.0.1:${seedPorts(n).http}`
}
