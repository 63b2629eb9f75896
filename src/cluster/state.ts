/**
 * src/cluster/state.ts: the per-cluster folder, `$ZX_HOME/clusters/<name>/` (ZX_HOME defaults
 * to ~/.zx). It holds cluster.json (runtime, node plan: what `--node nodeN` resolves against)
 * and, for the process runtime, each node's data dir, log file and pid file. The Docker
 * runtime keeps its truth in container labels and writes cluster.json only as an address book.
 */
import { mkdir, readFile, rm, writeFile, rename } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { LabError } from '../errors.js'
import type { NodePlan } from './layout.js'

/** RuntimeKind names where the nodes of a cluster run. */
export type RuntimeKind = 'docker' | 'process'

/** ClusterState is the content of cluster.json. */
export interface ClusterState {
  name: string
  runtime: RuntimeKind
  createdAt: string
  nodes: NodePlan[]
}

/** zxHome is the root folder of the lab kit's local state. */
export function zxHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.ZX_HOME !== undefined && env.ZX_HOME !== '' ? env.ZX_HOME : join(homedir(), '.zx')
}

/** clusterDir is the folder of one cluster. */
export function clusterDir(name: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(name)) {
    throw new LabError('ZX_ERR_USAGE', `invalid cluster name ${JSON.stringify(name)}: use letters, digits, '.', '_' or '-'`)
  }
  return join(zxHome(env), 'clusters', name)
}

/** readClusterState loads cluster.json, or undefined when the cluster has none. */
export async function readClusterState(name: string, env: NodeJS.ProcessEnv = process.env): Promise<ClusterState | undefined> {
  let text: string
  try {
    text = await readFile(join(clusterDir(name, env), 'cluster.json'), 'utf8')
  } catch {
    return undefined
  }
  try {
    const value = JSON.parse(text) as ClusterState
    if (!Array.isArray(value.nodes) || (value.runtime !== 'docker' && value.runtime !== 'process')) return undefined
    return value
  } catch {
    return undefined  // a torn or hand-edited file is treated as absent, never a crash
  }
}

/** writeClusterState saves cluster.json atomically (write a temp file, then rename). */
export async function writeClusterState(state: ClusterState, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const dir = clusterDir(state.name, env)
  await mkdir(dir, { recursive: true })
  const tmp = join(dir, `cluster.json.${process.pid}.tmp`)
  await writeFile(tmp, JSON.stringify(state, null, 2) + '\n')
  await rename(tmp, join(dir, 'cluster.json'))
}

/** removeClusterState deletes cluster.json (and with `all`, the whole folder). */
export async function removeClusterState(name: string, all: boolean, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const dir = clusterDir(name, env)
  await rm(all ? dir : join(dir, 'cluster.json'), { recursive: true, force: true })
}
