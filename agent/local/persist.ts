/**
 * agent/local/persist.ts: agent-local registrations survive restarts (Consul keeps them under
 * data-dir/services and data-dir/checks). We keep one JSON file, written to a temporary file,
 * fsynced and renamed over the old one, so a crash leaves either the old or the new state. A
 * file that does not parse is moved aside (counted in the log) and the agent starts empty
 * rather than refusing to start.
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import type { CheckDefinition, HealthStatus } from '../checks/definition.js'
import type { ServiceSpec } from '../state/catalog-types.js'

/** PersistedState is the on-disk form of the agent's local registrations. */
export interface PersistedState {
  version: 1
  services: ServiceSpec[]
  checks: Array<{ definition: CheckDefinition; status: HealthStatus; output: string }>
}

/** localStatePath is where the registrations live inside the data dir. */
export function localStatePath(dataDir: string): string {
  return join(dataDir, 'local', 'registrations.json')
}

/** loadLocalState reads the persisted registrations (empty when absent; corrupt files moved aside). */
export async function loadLocalState(dataDir: string): Promise<{ state: PersistedState; problem: string | undefined }> {
  const path = localStatePath(dataDir)
  const empty: PersistedState = { version: 1, services: [], checks: [] }
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: empty, problem: undefined }
    return { state: empty, problem: `cannot read ${path}: ${(error as Error).message}` }
  }
  try {
    const parsed = JSON.parse(text) as PersistedState
    if (parsed.version !== 1 || !Array.isArray(parsed.services) || !Array.isArray(parsed.checks)) throw new Error('unexpected shape')
    return { state: parsed, problem: undefined }
  } catch (error) {
    const aside = `${path}.corrupt-${Date.now()}`
    await rename(path, aside).catch(() => {})
    return { state: empty, problem: `ignored corrupt ${path} (moved to ${aside}): ${(error as Error).message}` }
  }
}

/** saveLocalState writes the registrations atomically (tmp + fsync + rename). */
export async function saveLocalState(dataDir: string, state: PersistedState): Promise<void> {
  const path = localStatePath(dataDir)
  await mkdir(join(dataDir, 'local'), { recursive: true })
  const tmp = `${path}.tmp`
  const handle = await open(tmp, 'w', 0o600)
  try {
    await handle.writeFile(JSON.stringify(state))
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(tmp, path)
}
