import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../src/base-command.js'
import { Lock } from '../../src/lock/lock.js'
import { Semaphore } from '../../src/lock/semaphore.js'
import { runChild } from '../../src/lock/child.js'
import { lockDefaults } from '../../src/api/defaults.js'

/** LockAcquire runs a command while holding a lock (or a semaphore slot), like `consul lock`. */
export default class LockAcquire extends BaseCommand<typeof LockAcquire> {
  static override summary = 'Run a command while holding a cluster-wide lock (or one of -n semaphore slots).'
  static override description = 'The lock key is <prefix>/.lock, held by a session with a 15 s TTL renewed in the background. The child starts only once the lock is held (with CONSUL_LOCK_HELD=true), is killed (SIGTERM, SIGKILL after 5 s) if the lock is lost, and the lock is released when it exits. The exit code is the child\'s.'
  static override strict = false
  static override enableJsonFlag = false
  static override examples = [
    '<%= config.bin %> lock acquire job-a -- ./script.sh',
    '<%= config.bin %> lock acquire -n 2 workers -- sleep 30',
    '<%= config.bin %> lock acquire --timeout 10 job-a -- echo got it',
  ]
  static override args = { prefix: Args.string({ required: true, description: 'KV prefix of the lock.' }) }
  static override flags = {
    n: Flags.integer({ char: 'n', description: 'Number of holders; above 1 a semaphore is used.', default: 1 }),
    timeout: Flags.integer({ description: 'Give up after this many seconds (default: wait forever).', min: 1 }),
    try: Flags.boolean({ description: 'Make one attempt and give up at once if the lock is held.' }),
    name: Flags.string({ description: 'Session name.' }),
    shell: Flags.boolean({ description: 'Run the command through $SHELL -c.', default: true, allowNo: true }),
    'pass-stdin': Flags.boolean({ description: 'Give the child this process\'s stdin.' }),
    verbose: Flags.boolean({ description: 'Log each step on stderr.' }),
  }

  async run(): Promise<void> {
    const f = this.flags
    const prefix = this.args.prefix.replace(/^\/+/, '')
    const child = this.restArgs.slice(1)
    if (child.length === 0) this.fail('ZX_ERR_USAGE', 'Key prefix and child command must be specified')
    if (f.n < 1) this.fail('ZX_ERR_USAGE', 'Lock holder limit must be positive')
    const verbose = (line: string) => { if (f.verbose) this.logToStderr(line) }
    const api = await this.api()
    const tryOnce = f.try || f.timeout !== undefined
    const waitMs = f.try ? 0 : (f.timeout ?? lockDefaults.lockWaitMs / 1000) * 1000
    const sessionName = f.name ?? `Consul lock for '${child.join(' ')}' at '${prefix}'`
    const handle = f.n > 1
      ? new Semaphore(api, { prefix, limit: f.n, sessionName, tryOnce, waitMs })
      : new Lock(api, { key: `${prefix}/.lock`, sessionName, tryOnce, lockWaitMs: waitMs })
    verbose('Attempting lock acquisition')
    const cancel = new AbortController()
    const onSignal = () => cancel.abort()
    process.once('SIGINT', onSignal)
    let lost: AbortSignal | undefined
    try {
      lost = await handle.acquire(cancel.signal)
    } finally {
      process.off('SIGINT', onSignal)
    }
    if (lost === undefined) this.fail('ZX_ERR_LOCK_NOT_HELD', cancel.signal.aborted ? 'Shutdown triggered or timeout during lock acquisition' : `Lock acquisition failed: ${prefix} is held by someone else`)
    verbose(`Lock acquired (session ${handle.sessionId}); starting handler`)
    const outcome = await runChild(child, { lost, shell: f.shell, passStdin: f['pass-stdin'], log: (line) => this.logToStderr(line) })
    if (!outcome.killedForLockLoss) await handle.release().catch((error: Error) => this.logToStderr(`Lock release failed: ${error.message}`))
    verbose('Cleanup succeeded')
    if (outcome.killedForLockLoss) this.fail('ZX_ERR_LOCK_LOST', `lock on ${prefix} was lost; the child was killed`, outcome.exitCode === 0 ? 1 : outcome.exitCode)
    if (outcome.exitCode !== 0) this.exit(outcome.exitCode)
  }
}
