// Goal: `zx keygen` prints a key an agent accepts for -encrypt, and `zx sim gossip` runs the real
// core, prints the seed's table against log_fanout(N) (flagging 3.44 for N=160), and its --json
// rows carry {nodes, fanout, loss, formula, meanRounds, p99Rounds}.
// Method: run the oclif command classes through the shared runCommand harness with small inputs.
import { readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import Keygen from '../../../commands/keygen.js'
import SimGossip from '../../../commands/sim/gossip.js'
import { parseKey } from '../../../agent/gossip/crypto.js'
import { seedNote } from '../../../agent/gossip/sim/report.js'
import { runCommand } from '../commands/helpers.js'

describe('zx keygen', () => {
  it('prints a fresh base64 32-byte key', async () => {
    const a = await runCommand(Keygen, [])
    const b = await runCommand(Keygen, [])
    expect(a.exitCode).toBe(0)
    expect(parseKey(a.stdout.trim()).length).toBe(32)
    expect(a.stdout).not.toBe(b.stdout)
  })
})

describe('zx sim gossip', () => {
  it('checks each seed figure against log4(N)', () => {
    expect(seedNote(20, 4)).toBe('seed 2.16 = log4(20)')
    expect(seedNote(160, 4)).toBe('seed 3.44 is off: log4(160) = 3.66')
    expect(seedNote(320, 4)).toBe('seed 4.16 = log4(320)')
  })

  it('prints the table and writes a plot', async () => {
    const svg = join(tmpdir(), `zx-spread-${process.pid}.svg`)
    const run = await runCommand(SimGossip, ['--fanout', '4', '--nodes', '20,160', '--runs', '5', '--svg', svg])
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('seed 3.44 is off: log4(160) = 3.66')
    expect(await readFile(svg, 'utf8')).toContain('<svg')
    await rm(svg, { force: true })
  })

  it('emits JSON rows with and without loss', async () => {
    const run = await runCommand(SimGossip, ['--nodes', '20,40', '--runs', '5', '--loss', '0.2', '--json'])
    const rows = JSON.parse(run.stdout) as Array<Record<string, number>>
    expect(rows).toHaveLength(4)
    expect(rows.map((r) => r.loss)).toEqual([0, 0.2, 0, 0.2])
    for (const r of rows) {
      expect(Object.keys(r)).toEqual(expect.arrayContaining(['nodes', 'fanout', 'loss', 'formula', 'meanRounds', 'p99Rounds']))
      expect(r.meanRounds).toBeGreaterThan(0)
      expect(r.p99Rounds).toBeGreaterThanOrEqual(r.meanRounds)
    }
    expect(rows[0]!.formula).toBeCloseTo(2.16, 2)
  })

  it('rejects a bad --nodes list', async () => {
    const run = await runCommand(SimGossip, ['--nodes', '20,x'])
    expect(run.exitCode).toBe(2)
  })
})
