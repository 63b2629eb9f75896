// Goal: `zx verify` on a real 4-node process cluster finds the KV store linearizable while a
// nemesis kill -9s the leader, partitions a minority and a majority of the servers off the rest
// (host iptables rules; skipped by the nemesis where root is missing), pauses a server and
// kill -9s a random server, and the lock check
// finds no two withLock holders that both believed they held the lock at once, under the same
// faults. Method: the built CLI (bin/run.js) with --runtime process, cluster `verify-it` on
// --base-port 29000 (this suite's range), ZX_HOME in a temp dir; 45 s register schedule, 30 s
// lock schedule, verdicts read from --json. Either check fails the test on exit code 1.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { zx } from '../labkit/zx.js'
import { hostIptablesUnusable } from '../../../src/runtime/netfilter.js'

vi.setConfig({ testTimeout: 150_000, hookTimeout: 120_000 })

const home = mkdtempSync(join(tmpdir(), 'zx-verify-it-'))
const base = ['--runtime', 'process', '--cluster', 'verify-it']
const withRules = (await hostIptablesUnusable()) === undefined

beforeAll(async () => {
  const up = await zx(home, ['cluster', 'up', ...base, '--base-port', '29000', '--servers', '3', '--clients', '1', '--timeout', '60'])
  if (up.exitCode !== 0) throw new Error(`cluster up failed: ${up.stderr}\n${up.stdout}`)
})
afterAll(async () => {
  await zx(home, ['cluster', 'down', ...base, '--volumes'])
  rmSync(home, { recursive: true, force: true })
})

describe('zx verify on a process cluster', () => {
  it('reports linearizable under kill-leader, partitions, pause and kill-random', async () => {
    const run = await zx(home, ['verify', ...base, '--duration', '45', '--fault-interval', '8', '--faults', 'kill-leader,partition-minority,pause,kill-random,partition-majority',
      '--quiesce', '4', '--processes', '5', '--out', join(home, 'history.json'), '--json'], 140_000)
    expect(run.exitCode, run.stderr + run.stdout).toBe(0)
    const report = JSON.parse(run.stdout) as { verdict: { valid: boolean | string; operations: number }; counts: Record<string, number>; nemesis: Array<{ what: string }> }
    console.log(`verify: ${report.verdict.operations} ops, counts ${JSON.stringify(report.counts)}, faults ${report.nemesis.map((e) => e.what).join('; ')}`)
    expect(report.verdict.valid).toBe(true)
    expect(report.counts.ok).toBeGreaterThan(200)
    expect(report.nemesis.filter((e) => e.what.startsWith('kill -9')).length).toBeGreaterThanOrEqual(2)
    if (withRules) expect(report.nemesis.filter((e) => e.what.startsWith('partition')).length).toBe(2)
  })

  it('finds no overlapping lock holders under the same faults', async () => {
    const run = await zx(home, ['verify', ...base, '--mode', 'lock', '--duration', '30', '--fault-interval', '8', '--faults', 'kill-leader,pause,kill-random',
      '--processes', '4', '--lock-hold', '300', '--lock-delay', '1s', '--json'], 120_000)
    expect(run.exitCode, run.stderr + run.stdout).toBe(0)
    const report = JSON.parse(run.stdout) as { overlaps: unknown[]; counts: { sections: number; lost: number; errors: number }; minGapAfterLossMs?: number; nemesis: unknown[] }
    console.log(`lock: ${JSON.stringify(report.counts)}, min gap after loss ${report.minGapAfterLossMs ?? '-'} ms, faults ${report.nemesis.length}`)
    expect(report.overlaps).toEqual([])
    expect(report.counts.sections).toBeGreaterThan(15)
  })
})
