/**
 * agent/gossip/snapshot.ts: the rejoin snapshot in `<dataDir>/serf/local.snapshot`, like serf's.
 * It records our incarnation, the user-event Lamport clock and the addresses of members last
 * seen alive, so a restarted agent rejoins on its own. A graceful leave clears the peer list
 * (a node that left should not pull itself back in). A corrupt file is ignored, never fatal.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** GossipSnapshot is what survives a restart. */
export interface GossipSnapshot {
  incarnation: number
  eventClock: number
  left: boolean
  peers: string[]
}

/** snapshotPath is where a pool keeps its snapshot. */
export function snapshotPath(dataDir: string, poolName: string): string {
  return join(dataDir, 'serf', poolName === 'wan' ? 'remote.snapshot' : 'local.snapshot')
}

/** readSnapshot loads a snapshot; undefined if absent or unreadable. */
export async function readSnapshot(path: string): Promise<GossipSnapshot | undefined> {
  try {
    const raw = JSON.parse(await readFile(path, 'utf8')) as Partial<GossipSnapshot>
    if (typeof raw.incarnation !== 'number' || typeof raw.eventClock !== 'number' || !Array.isArray(raw.peers)) return undefined
    return {
      incarnation: raw.incarnation, eventClock: raw.eventClock, left: raw.left === true,
      peers: raw.peers.filter((p): p is string => typeof p === 'string').slice(0, 1_000),
    }
  } catch {
    return undefined
  }
}

/** writeSnapshot replaces the snapshot atomically (write temp, rename). */
export async function writeSnapshot(path: string, snapshot: GossipSnapshot): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true })
  const temp = `${path}.tmp`
  await writeFile(temp, JSON.stringify(snapshot))
  await rename(temp, path)
}
