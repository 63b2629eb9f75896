/**
 * src/runtime/entry.ts: how to start `zx agent` as a child process. By default it is this
 * package's own bin/agent.js (the agent without oclif's start-up) under the current Node
 * binary; ZX_AGENT_BIN points at another script (run with node) for tests or a bundled agent.
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { LabError } from '../errors.js'

/** packageRoot finds the folder holding zx's package.json, walking up from this file. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bin', 'run.js'))) return dir
    dir = dirname(dir)
  }
  throw new LabError('ZX_ERR_RUNTIME', 'cannot find the zx package root (bin/run.js) above the lab kit')
}

/** agentEntry is the command and leading args that run `zx agent …` (`bundle`: a prepared agent bundle). */
export function agentEntry(env: NodeJS.ProcessEnv = process.env, bundle?: string): { command: string; args: string[] } {
  const script = env.ZX_AGENT_BIN !== undefined && env.ZX_AGENT_BIN !== '' ? env.ZX_AGENT_BIN : bundle ?? join(packageRoot(), 'bin', 'agent.js')
  return { command: process.execPath, args: [script] }
}
