// Shared harness for command tests: loads the oclif config once, runs a command class with
// argv, captures stdout/stderr and the exit code (oclif's ExitError carries it), and installs
// an undici MockAgent with net connect disabled so no test can reach a real agent.
import { Config, type Command } from '@oclif/core'
import { vi } from 'vitest'
import { MockAgent, setGlobalDispatcher, getGlobalDispatcher, type Dispatcher } from 'undici'
import { fileURLToPath } from 'node:url'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// Loading oclif's config and a command's imports takes seconds on a loaded 2-core machine.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 })

let config: Config | undefined

export interface RunResult {
  stdout: string
  stderr: string
  exitCode: number
  result: unknown
  error: unknown
}

export async function runCommand(command: typeof Command, argv: string[]): Promise<RunResult> {
  config ??= await Config.load({ root: fileURLToPath(new URL('../../..', import.meta.url)) })
  let stdout = ''
  let stderr = ''
  const out = process.stdout.write.bind(process.stdout)
  const err = process.stderr.write.bind(process.stderr)
  process.stdout.write = ((chunk: string | Uint8Array) => { stdout += String(chunk); return true }) as typeof process.stdout.write
  process.stderr.write = ((chunk: string | Uint8Array) => { stderr += String(chunk); return true }) as typeof process.stderr.write
  let exitCode = 0
  let result: unknown
  let error: unknown
  try {
    result = await command.run(argv, config)
  } catch (e) {
    error = e
    const exit = (e as { oclif?: { exit?: number } }).oclif?.exit
    exitCode = typeof exit === 'number' ? exit : 1
  } finally {
    process.stdout.write = out
    process.stderr.write = err
  }
  return { stdout, stderr, exitCode, result, error }
}

export const agentOrigin = 'http://127.0.0.1:8500'

export interface MockSetup {
  mock: MockAgent
  restore: () => Promise<void>
  home: string
}

/** installMockAgent routes all undici traffic to a MockAgent and isolates ZX_HOME. */
export function installMockAgent(): MockSetup {
  const previous: Dispatcher = getGlobalDispatcher()
  const mock = new MockAgent()
  mock.disableNetConnect()
  setGlobalDispatcher(mock)
  const home = mkdtempSync(join(tmpdir(), 'zx-unit-'))
  const saved = { home: process.env.ZX_HOME, addr: process.env.ZX_HTTP_ADDR, consul: process.env.CONSUL_HTTP_ADDR }
  process.env.ZX_HOME = home
  delete process.env.ZX_HTTP_ADDR
  delete process.env.CONSUL_HTTP_ADDR
  return {
    mock, home,
    restore: async () => {
      try {
        // Persistent interceptors (FakeConsul's endpoint models) may legitimately go unused.
        const pending = mock.pendingInterceptors().filter((i) => !i.persist)
        if (pending.length > 0) mock.assertNoPendingInterceptors()
      } finally {
        setGlobalDispatcher(previous)
        await mock.close()
        rmSync(home, { recursive: true, force: true })
        restoreEnv('ZX_HOME', saved.home)
        restoreEnv('ZX_HTTP_ADDR', saved.addr)
        restoreEnv('CONSUL_HTTP_ADDR', saved.consul)
      }
    },
  }
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name]
  else process.env[name] = value
}
