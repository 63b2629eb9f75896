// Goal: `zx lock acquire <prefix> -- <cmd>` runs the child only while holding <prefix>/.lock
// (CONSUL_LOCK_HELD=true in its env), releases afterwards and exits with the child's code;
// `-n 2` uses the semaphore; `--try` on a held lock exits 1 without running the child;
// `zx lock status` names the holder. Method: the commands against FakeConsul (in-memory KV and
// sessions behind an undici MockAgent); the child is a real `sh -c`.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import LockAcquire from '../../../commands/lock/acquire.js'
import LockStatusCommand from '../../../commands/lock/status.js'
import { ApiClient } from '../../../src/api/client.js'
import { Lock } from '../../../src/lock/lock.js'
import { FakeConsul } from '../lock/fake-consul.js'
import { installMockAgent, runCommand, type MockSetup } from './helpers.js'

let setup: MockSetup
let consul: FakeConsul
beforeEach(() => {
  setup = installMockAgent()
  consul = new FakeConsul(setup.mock)
})
afterEach(async () => { await setup.restore() })

describe('zx lock acquire', () => {
  it('runs the child under the lock, then releases, and exits with the child\'s code', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'zx-lock-')), 'seen')
    const run = await runCommand(LockAcquire, ['job-a', '--', `echo "$CONSUL_LOCK_HELD" > ${out}; exit 3`])
    expect(run.exitCode).toBe(3)
    expect(readFileSync(out, 'utf8')).toBe('true\n')
    expect(consul.kv.get('job-a/.lock')?.flags).toBe(0x2ddccbc058a50c18n)
    expect(consul.kv.get('job-a/.lock')?.session).toBeUndefined()
    expect(consul.sessions.size).toBe(0)
  })

  it('with -n 2 takes a semaphore slot under the prefix', async () => {
    const run = await runCommand(LockAcquire, ['-n', '2', 'workers', '--', 'true'])
    expect(run.exitCode).toBe(0)
    expect(consul.kv.get('workers/.lock')?.flags).toBe(0xe0f69a2baa414de0n)
  })

  it('--try on a held lock exits 1 and never starts the child', async () => {
    const holder = new Lock(new ApiClient({ address: '127.0.0.1:8500' }), { key: 'job-b/.lock' })
    await holder.acquire()
    const marker = join(mkdtempSync(join(tmpdir(), 'zx-lock-')), 'ran')
    const run = await runCommand(LockAcquire, ['--try', 'job-b', '--', `touch ${marker}`])
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toContain('Lock acquisition failed')
    expect(existsSync(marker)).toBe(false)
    const status = await runCommand(LockStatusCommand, ['job-b'])
    expect(status.stdout).toContain('Lock at job-b/.lock: 1 holder(s)')
    expect(status.stdout).toContain(holder.sessionId!)
    await holder.release()
  })

  it('refuses a missing child command', async () => {
    const run = await runCommand(LockAcquire, ['job-c'])
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toContain('Key prefix and child command must be specified')
  })
})
