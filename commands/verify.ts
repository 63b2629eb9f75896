import { Command, Flags } from '@oclif/core'
import { readClusterState } from '../src/cluster/state.js'
import { runtimeFor } from '../src/runtime/select.js'
import { checkHistory } from '../src/verify/check.js'
import { summarize } from '../src/verify/history.js'
import { httpEndpoints, runtimeControl } from '../src/verify/control.js'
import { hostIptablesUnusable } from '../src/runtime/netfilter.js'
import type { FaultKind } from '../src/verify/nemesis.js'
import { loadHistory, runVerify, type VerifyReport } from '../src/verify/run-verify.js'
import { runEtcdClients } from '../src/verify/etcd-clients.js'
import { etcdEndpoints, etcdFaults, etcdScriptControl } from '../src/verify/etcd-control.js'
import { describeRecord, runLockCheck, type LockCheckReport } from '../src/verify/lock-check.js'

const faultKinds: FaultKind[] = ['kill-leader', 'kill-random', 'pause', 'partition-minority', 'partition-majority']

/** Verify checks that a lab cluster stays linearizable while a nemesis injects faults. */
export default class Verify extends Command {
  static override summary = 'Check linearizability of the KV store under faults (Jepsen-style).'
  static override description = 'Concurrent clients run random reads, writes and CAS on a few keys while a nemesis kills, pauses and partitions servers; the recorded history is then checked for linearizability. With --lock, holders take one lock through withLock instead and any two critical sections that both holders believed they held at once are reported (locks are advisory: a holder learns of a loss late, lock-delay is the margin). Exit code 1 on a violation.'
  static override examples = [
    '<%= config.bin %> verify --duration 60',
    '<%= config.bin %> verify --faults kill-leader,pause --fault-interval 8 --out test-output/verify/history.json',
    '<%= config.bin %> verify --check test-output/verify/history.json',
    '<%= config.bin %> verify --lock --duration 30 --lock-delay 1s',
    '<%= config.bin %> verify --target etcd --etcd-script /path/to/etcd-cluster.sh --faults kill-leader',
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
    mode: Flags.string({ description: 'register: linearizability of KV reads/writes/CAS; lock: mutual exclusion of withLock holders.', options: ['register', 'lock'], default: 'register' }),
    lock: Flags.boolean({ description: 'Shorthand for --mode lock.', default: false }),
    'lock-hold': Flags.integer({ description: 'Ms each lock holder stays in its critical section.', default: 100, min: 1 }),
    'lock-delay': Flags.string({ description: 'LockDelay of the lock sessions (Go duration; Consul default 15s).', default: '1s' }),
    target: Flags.string({ description: 'Store under test.', options: ['consul', 'etcd'], default: 'consul' }),
    endpoints: Flags.string({ description: 'Comma-separated endpoints (etcd client URLs); default: from --etcd-script endpoints.' }),
    'etcd-script': Flags.string({ description: 'Path of etcd-cluster.sh; enables the kill-leader nemesis for --target etcd.' }),
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
    if (flags.target === 'etcd') return this.runEtcd(flags, faults)
    const state = await readClusterState(flags.cluster)
    if (!state) this.error(`no lab cluster "${flags.cluster}": run zx cluster up first`, { exit: 2 })
    const runtime = await runtimeFor(flags.cluster, (flags.runtime as 'docker' | 'process' | undefined) ?? state.runtime)
    // Process nodes can be partitioned only with host iptables rules (root, Linux).
    const hostRules = runtime.kind === 'process' && faults.some((f) => f.startsWith('partition')) && (await hostIptablesUnusable()) === undefined
    if (flags.lock || flags.mode === 'lock') {
      return this.reportLock(await runLockCheck({
        endpoints: httpEndpoints(state.nodes), processes: flags.processes, key: `zx-verify/lock/${Date.now()}`,
        durationMs: flags.duration * 1000, holdMs: flags['lock-hold'], lockDelay: flags['lock-delay'], sessionTtl: '10s',
        timeoutMs: flags.timeout, control: faults.length === 0 ? undefined : runtimeControl(runtime, state.nodes, { hostRules }), faults,
        faultIntervalMs: flags['fault-interval'] * 1000, log: (line) => { if (!this.jsonEnabled()) this.log(line) },
      }))
    }
    const report = await runVerify({
      clients: {
        endpoints: httpEndpoints(state.nodes), processes: flags.processes, keys: flags.keys, timeoutMs: flags.timeout,
        readMode: flags['read-mode'] as 'consistent', pauseMs: flags.pause, prefix: `zx-verify/${Date.now()}/`,
      },
      durationMs: flags.duration * 1000,
      control: faults.length === 0 ? undefined : runtimeControl(runtime, state.nodes, { hostRules }),
      faults,
      faultIntervalMs: flags['fault-interval'] * 1000,
      quiesceMs: flags.quiesce * 1000,
      historyFile: flags.out,
      log: (line) => { if (!this.jsonEnabled()) this.log(line) },
    })
    return this.report(report)
  }

  private async runEtcd(flags: Awaited<ReturnType<Verify['parse']>>['flags'] & Record<string, unknown>, faults: FaultKind[]): Promise<unknown> {
    const script = flags['etcd-script'] as string | undefined
    const listed = (flags.endpoints as string | undefined)?.split(',').map((e) => e.trim()).filter((e) => e !== '')
    const endpoints = listed ?? (script ? await etcdEndpoints(script) : undefined)
    if (!endpoints || endpoints.length === 0) this.error('--target etcd needs --endpoints or --etcd-script', { exit: 2 })
    for (const fault of faults) if (!etcdFaults.includes(fault)) this.error(`fault "${fault}" is not possible on etcd (only ${etcdFaults.join(', ')})`, { exit: 2 })
    if (faults.length > 0 && !script) this.error('faults on etcd need --etcd-script (or use --faults none)', { exit: 2 })
    const report = await runVerify({
      clients: {
        endpoints, processes: flags.processes as number, keys: flags.keys as number, timeoutMs: flags.timeout as number,
        readMode: flags['read-mode'] as 'consistent', pauseMs: flags.pause as number, prefix: `zx-verify/${Date.now()}/`,
      },
      durationMs: (flags.duration as number) * 1000,
      control: faults.length === 0 || !script ? undefined : etcdScriptControl(script),
      faults, faultIntervalMs: (flags['fault-interval'] as number) * 1000, quiesceMs: (flags.quiesce as number) * 1000,
      historyFile: flags.out as string, log: (line) => { if (!this.jsonEnabled()) this.log(line) },
    }, runEtcdClients)
    return this.report(report)
  }

  private reportLock(report: LockCheckReport): unknown {
    if (!this.jsonEnabled()) {
      const { sections, lost, errors } = report.counts
      this.log(`lock sections: ${sections} (lost ${lost}, failed attempts ${errors}); faults ${report.nemesis.length}`)
      if (report.minGapAfterLossMs !== undefined) this.log(`smallest gap between a detected loss and the next holder: ${report.minGapAfterLossMs.toFixed(1)} ms`)
      if (report.overlaps.length === 0) this.log('mutual exclusion: yes (no two holders believed they held the lock at once)')
      else {
        this.log(`mutual exclusion: NO — ${report.overlaps.length} overlapping pair(s):`)
        for (const o of report.overlaps) this.log(`  ${o.overlapMs.toFixed(1)} ms: ${describeRecord(o.a)}  ||  ${describeRecord(o.b)}`)
      }
    }
    if (report.overlaps.length > 0) this.exit(1)
    return { ...report, records: report.records.length }
  }

  private report(report: VerifyReport): unknown {
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
