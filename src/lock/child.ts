/**
 * src/lock/child.ts: `zx lock`'s child process, with `consul lock` semantics: started only once
 * the lock is held, with CONSUL_LOCK_HELD=true, stdio inherited, SIGINT/SIGTERM forwarded; if
 * the lock is lost the child gets SIGTERM, then SIGKILL after a grace shorter than the
 * lock-delay, so it is dead before anyone else can acquire.
 */
import { lockDefaults } from '../api/defaults.js'

/** ChildOutcome is how the child ended. */
export interface ChildOutcome {
  exitCode: number
  killedForLockLoss: boolean
}

/** runChild runs argv (through the shell when `shell`), killing it if `lost` aborts. */
export async function runChild(argv: string[], options: { lost: AbortSignal; shell: boolean; passStdin: boolean; log: (line: string) => void }): Promise<ChildOutcome> {
  const { execa } = await import('execa')  // loaded on demand: keeps other commands' start-up short
  const [file, ...rest] = options.shell ? [argv.join(' ')] : argv
  const child = execa(file!, rest, {
    shell: options.shell ? (process.env.SHELL ?? '/bin/sh') : false,
    stdin: options.passStdin ? 'inherit' : 'ignore', stdout: 'inherit', stderr: 'inherit',
    env: { CONSUL_LOCK_HELD: 'true' }, reject: false,
  })
  let killedForLockLoss = false
  let graceTimer: NodeJS.Timeout | undefined
  const onLost = () => {
    killedForLockLoss = true
    options.log('Lock lost, killing child')
    child.kill('SIGTERM')
    graceTimer = setTimeout(() => child.kill('SIGKILL'), lockDefaults.killGraceMs)
  }
  const forward = (signal: NodeJS.Signals) => () => { child.kill(signal) }
  const onInt = forward('SIGINT')
  const onTerm = forward('SIGTERM')
  options.lost.addEventListener('abort', onLost, { once: true })
  process.on('SIGINT', onInt)
  process.on('SIGTERM', onTerm)
  try {
    const result = await child
    const code = result.exitCode ?? (result.signal !== undefined ? 128 + signalNumber(result.signal) : 1)
    return { exitCode: code, killedForLockLoss }
  } finally {
    clearTimeout(graceTimer)
    options.lost.removeEventListener('abort', onLost)
    process.off('SIGINT', onInt)
    process.off('SIGTERM', onTerm)
  }
}

function signalNumber(signal: string): number {
  const numbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }
  return numbers[signal] ?? 1
}
