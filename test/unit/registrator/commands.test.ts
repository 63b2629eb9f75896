// Goal: `zx registrator` and `zx app up` reject inconsistent flags with a clear message and exit
// code 1 before touching Docker or the agent (registrator's -ttl/-ttl-refresh rule, bad backend).
// Method: run the oclif command classes through the shared runCommand harness.
import { describe, expect, it } from 'vitest'
import AppUp from '../../../commands/app/up.js'
import RegistratorCommand from '../../../commands/registrator.js'
import { runCommand } from '../commands/helpers.js'

describe('zx registrator flags', () => {
  it('requires --ttl and --ttl-refresh together, ttl greater', async () => {
    const alone = await runCommand(RegistratorCommand, ['--ttl', '30', 'consul://127.0.0.1:8500'])
    expect(alone.exitCode).toBe(1)
    expect(alone.stderr).toContain('-ttl and -ttl-refresh go together')
    const inverted = await runCommand(RegistratorCommand, ['--ttl', '10', '--ttl-refresh', '20', 'consul://127.0.0.1:8500'])
    expect(inverted.stderr).toContain('greater')
  })
  it('refuses a backend other than consul', async () => {
    const run = await runCommand(RegistratorCommand, ['etcd://127.0.0.1:2379'])
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toContain('unsupported backend')
  })
})

describe('zx app up flags', () => {
  it('bounds --replicas and --label', async () => {
    const zero = await runCommand(AppUp, ['--replicas', '0'])
    expect(zero.exitCode).not.toBe(0)
    const label = await runCommand(AppUp, ['--label', 'novalue'])
    expect(label.exitCode).toBe(1)
    expect(label.stderr).toContain('--label wants key=value')
  })
})
