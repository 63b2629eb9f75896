/**
 * src/verify/etcd-control.ts: ClusterControl over the shared etcd-cluster.sh script, so the
 * nemesis can kill etcd's leader and restart it. The script can only SIGKILL the current
 * leader (`kill-leader`) and start a member again (`restart <name>`); it cannot pause members,
 * kill a follower or partition, so only the `kill-leader` fault is offered for etcd.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { ClusterControl, FaultKind } from './nemesis.js'

const run = promisify(execFile)

/** etcdFaults are the faults the script supports. */
export const etcdFaults: FaultKind[] = ['kill-leader']

/** etcdScriptControl adapts etcd-cluster.sh to the nemesis; members are m1..m3. */
export function etcdScriptControl(script: string, members: string[] = ['m1', 'm2', 'm3']): ClusterControl {
  const call = async (...args: string[]): Promise<string> => (await run(script, args, { timeout: 60_000 })).stdout
  const unsupported = (what: string) => async (): Promise<void> => { throw new Error(`etcd-cluster.sh cannot ${what}`) }
  return {
    servers: () => members,
    async leader() {
      const out = await call('leader').catch(() => '')
      const name = out.trim().split(/\s+/)[0]
      return name !== undefined && members.includes(name) ? name : undefined
    },
    async kill(node) {
      const leader = await this.leader()
      if (leader !== node) throw new Error(`etcd-cluster.sh can only kill the leader (${node} is not it)`)
      await call('kill-leader')
    },
    async start(node) { await call('restart', node) },
    pause: unsupported('pause a member'),
    resume: async () => undefined, // nothing is ever paused: healing has nothing to undo
  }
}

/** etcdEndpoints asks the script for its client URLs. */
export async function etcdEndpoints(script: string): Promise<string[]> {
  const { stdout } = await run(script, ['endpoints'], { timeout: 30_000 })
  return stdout.trim().split(',').map((s) => s.trim()).filter((s) => s !== '')
}
