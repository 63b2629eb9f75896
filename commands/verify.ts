import { Command, Flags } from '@oclif/core'
import { readClusterState } from '../src/cluster/state.js'
import { runtimeFor } from '../src/runtime/select.js'
import { checkHistory } from '../src/verify/check.js'
import { summarize } from '../src/verify/history.js'
import { httpEndpoints, runtimeControl } from '../src/verify/control.js'
import type { FaultKind } from '../src/verify/nemesis.js'
import { loadHistory, runVerify } from '../src/verify/run-verify.js'

const faultKinds: FaultKind[] = ['kill-leader', 'kill-random', 'pause', 'partition-minority', 'partition-majority']

/** Verify checks that a lab cluster stays linearizable while a nemesis injects faults. */
export default class Verify extends Command {
  static override summary = 'Check linearizability of the KV store under faults (Jepsen-style).'
  static override description = 'Concurrent clients run random reads, writes and CAS on a few keys while a nemesis kills, pauses and partitions servers; the recorded history is then checked for linearizability. Exit code 1 on a violation.'
  static override examples = [
    '<%= config.bin %> verify --duration 60',
    '<%= config.bin %> verify --faults kill-leader,pause --fault-interval 8 --out test-output/verify/history.json',
    '<%= config.bin %> verify --check test-output/verify/history.json',
  ]
  static override enableJsonFlag = true
  static override flags = {
    cluster: Flags.string({ description: 'Lab cluster name.', env: 'ZX_CLUSTER', default: 'zx' }),
    runtime: Flags.string({ description: 'Force the runtime.', options: ['docker', 'process'] }),
    duration: Flags.integer({ description: 'Seconds of load under faults.', default: 60, min: 1, max: 7200 }),
    processes: Flags.integer({ description: 'Concurrent client processes.', default: 6, min: 1, max: 64 }),
    keys: Flags.integer({ description: 'Distinct keys.', default: 4, min: 1, max: 1000 }),
    faults: Flags.string({ description: `Comma-separated faults: ${faultKinds.join(', ')}; "none" for no nemesis.`, default: 'kill-leader,pause,kill-random' }),
    'fault-interval': Flags.integer({ description: 'Seconds between faults (each lasts half of it).', default: 10, min: 2 }),
    'read-mode': Flags.string({ description: 'Consistency of reads.', options: ['consistent', 'default', 'stale'], default: 'consistent' }),
    timeout: Flags.integer({ description: 'Per-request timeout in ms (timeouts are recorded as unknown).', default: 3_000, min: 100 }),
    pause: Flags.integer({ description: 'Ms each client pauses between operations.', default: 20, min: 0 }),
    quiesce: Flags.integer({ description: 'Seconds of final reads after healing.', default: 5, min: 1 }),
    out: Flags.string({ description: 'Save the full history as JSON here.', default: 'test-output/verify/history.json' }),
    check: Flags.string({ description: 'Only check a saved history file.' }),
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(Verify)
    if (flags.check) {
      const entries = await loadHistory(flags.check)
      const verdict = checkHistory(entries)
      return this.report({ verdict, counts: summarize(entries), nemesis: [], historyFile: flags.check })
    }
    const faults = flags.faults === 'none' ? [] : flags.faults.split(',').map((f) => f.trim()) as FaultKind[]
    for (const fault of faults) if (!faultKinds.includes(fault)) this.error(`unknown fault "${fault}"`, { exit: 2 })
    const state = await readClusterState(flags.cluster)
    if (!state) this.error(`no lab cluster "${flags.cluster}": run zx cluster up first`, { exit: 2 })
    const runtime = await runtimeFor(flags.cluster, (flags.runtime as 'docker' | 'process' | undefined) ?? state.runtime)
    const report = await runVerify({
      clients: {
        endpoints: httpEndpoints(state.nodes), processes: flags.processes, keys: flags.keys, timeoutMs: flags.timeout,
        readMode: flags['read-mode'] as 'consistent', pauseMs: flags.pause, prefix: `zx-verify/${Date.now()}/`,
      },
      durationMs: flags.duration * 1000,
      control: faults.length === 0 ? undefined : runtimeControl(runtime, state.nodes),
      faults,
      faultIntervalMs: flags['fault-interval'] * 1000,
      quiesceMs: flags.quiesce * 1000,
      historyFile: flags.out,
      log: (line) => { if (!this.jsonEnabled()) this.log(line) },
    })
    return this.report(report)
  }

  private report(report: Awaited<ReturnType<typeof runVerify>>): unknown {
    const { verdict, counts } = report
    if (!this.jsonEnabled()) {
      this.log(`operations: ${verdict.operations} checked (ok ${counts.ok}, unknown ${counts.unknown}, failed ${counts.failed})`)
      if (report.historyFile) this.log(`history: ${report.historyFile}`)
      if (verdict.valid === true) this.log('linearizable: yes')
      else if (verdict.valid === 'unknown') this.log(`linearizable: unknown (${verdict.detail})`)
      else {
        this.log(`linearizable: NO — ${verdict.detail}; minimal offending sub-history:`)
        for (const line of verdict.offending) this.log(`  ${line}`)
      }
    }
    if (verdict.valid === false) this.exit(1)
    return report
  }
}
