// Runs the built `zx` CLI (bin/run.js → dist) as a child process with an isolated ZX_HOME;
// every call is bounded in time.
import { execa } from 'execa'
import { fileURLToPath } from 'node:url'

export const root = fileURLToPath(new URL('../../..', import.meta.url))

export interface ZxRun { exitCode: number; stdout: string; stderr: string; ms: number }

export async function zx(home: string, args: string[], timeoutMs = 120_000): Promise<ZxRun> {
  const started = Date.now()
  const result = await execa(process.execPath, [`${root}/bin/run.js`, ...args], {
    cwd: root, reject: false, timeout: timeoutMs, stripFinalNewline: false, env: { ZX_HOME: home, ZX_HTTP_ADDR: '', CONSUL_HTTP_ADDR: '' }, stdin: 'ignore',
  })
  return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr), ms: Date.now() - started }
}

export function json<T>(run: ZxRun): T {
  if (run.exitCode !== 0) throw new Error(`zx failed (${run.exitCode}): ${run.stderr}\n${run.stdout}`)
  return JSON.parse(run.stdout) as T
}
