import { Args, Command, Flags } from '@oclif/core'
import ora from 'ora'
import { formatTable, toJson, writeOutputs } from '../src/bench/report.js'
import { readClusterState } from '../src/cluster/state.js'
import { runtimeFor } from '../src/runtime/select.js'
import { runtimeControl } from '../src/verify/control.js'
import { parseCompare, runBench } from '../src/bench/run-bench.js'
import { workloadNames, type WorkloadName } from '../src/bench/workloads.js'

/** Bench measures a running cluster (zx or any Consul-compatible API), optionally beside etcd. */
export default class Bench extends Command {
  static override summary = 'Measure a cluster: throughput and latency of KV, CAS, lock and watch workloads.'
  static override description = 'Closed-loop load against the HTTP API of a running cluster. Bounded by --duration and --ops. --compare etcd=<url> runs the same workload against etcd\'s v3 JSON gateway in the same run and prints the ratio.'
  static override examples = [
    '<%= config.bin %> bench kv-put -c 64 --duration 10',
    '<%= config.bin %> bench kv-get --read-mode consistent --compare etcd=http://127.0.0.1:2379',
    '<%= config.bin %> bench lock -c 8 --locks 4 --json',
    '<%= config.bin %> bench blocking --watchers 100 --out test-output/bench',
  ]
  static override enableJsonFlag = true
  static override args = {
    workload: Args.string({ description: 'Workload to run.', options: [...workloadNames], default: 'kv-put' }),
  }
  static override flags = {
    'http-addr': Flags.string({ description: 'Agent HTTP address.', env: 'ZX_HTTP_ADDR', default: 'http://127.0.0.1:8500' }),
    endpoints: Flags.string({ description: 'Comma-separated agent URLs to spread requests over (overrides --http-addr).' }),
    concurrency: Flags.integer({ char: 'c', description: 'Concurrent clients.', default: 16, min: 1, max: 4096 }),
    duration: Flags.integer({ description: 'Measured seconds.', default: 10, min: 1, max: 3600 }),
    ops: Flags.integer({ description: 'Stop after this many measured operations.', default: 10_000_000, min: 1 }),
    warmup: Flags.integer({ description: 'Unmeasured warm-up seconds.', default: 1, min: 0, max: 600 }),
    keyspace: Flags.integer({ description: 'Number of distinct keys.', default: 1000, min: 1 }),
    'value-size': Flags.integer({ description: 'Value bytes.', default: 100, min: 0, max: 512 * 1024 }),
    prefix: Flags.string({ description: 'Key prefix.', default: 'zx-bench/' }),
    'read-mode': Flags.string({ description: 'Consistency of reads.', options: ['default', 'consistent', 'stale'], default: 'default' }),
    'read-ratio': Flags.string({ description: 'Share of reads in the mixed workload (0–1).', default: '0.5' }),
    locks: Flags.integer({ description: 'Distinct lock names (lock workload).', default: 4, min: 1 }),
    watchers: Flags.integer({ description: 'Blocking watchers (blocking workload).', default: 16, min: 1, max: 20_000 }),
    'write-interval': Flags.integer({ description: 'Ms between writes (blocking workload).', default: 50, min: 0 }),
    'kill-after': Flags.integer({ description: 'Seconds into the run to kill the leader (failover).', default: 3, min: 0 }),
    timeout: Flags.integer({ description: 'Per-request timeout in ms.', default: 10_000, min: 1 }),
    compare: Flags.string({ description: 'Also run against kind=url[,url…] (etcd or consul).', multiple: true }),
    out: Flags.string({ description: 'Directory for HDR histograms, the timeline SVG and JSON.' }),
    cluster: Flags.string({ description: 'Lab cluster whose leader the failover workload kills.', env: 'ZX_CLUSTER', default: 'zx' }),
  }

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(Bench)
    const workload = args.workload as WorkloadName
    const readRatio = Number(flags['read-ratio'])
    if (!(readRatio >= 0 && readRatio <= 1)) this.error('--read-ratio must be between 0 and 1', { exit: 2 })
    let compare
    try {
      compare = (flags.compare ?? []).map(parseCompare)
    } catch (error) {
      this.error((error as Error).message, { exit: 2 })
    }
    const killLeader = workload === 'failover' ? await this.leaderKiller(flags.cluster) : undefined
    // A failover run spreads its writes over every node of the cluster unless told otherwise,
    // so the survivors take over the load when the leader dies.
    const clusterEndpoints = workload === 'failover' && flags.endpoints === undefined ? (await readClusterState(flags.cluster))?.nodes.map((n) => `http://127.0.0.1:${n.ports.http}`).join(',') : undefined
    const endpoints = (flags.endpoints ?? clusterEndpoints ?? flags['http-addr']).split(',').map((s) => s.trim().replace(/\/+$/, '')).filter(Boolean)
    const spinner = this.jsonEnabled() || !process.stderr.isTTY ? undefined : ora({ stream: process.stderr }).start()
    let current = ''
    const rows = await runBench({
      workload,
      endpoints,
      compare,
      timeoutMs: flags.timeout,
      onTarget: (label) => { current = label },
      options: {
        concurrency: flags.concurrency, durationS: flags.duration, warmupS: flags.warmup, maxOps: flags.ops,
        keyspace: flags.keyspace, valueSize: flags['value-size'], prefix: flags.prefix,
        readMode: flags['read-mode'] as 'default', readRatio, locks: flags.locks, watchers: flags.watchers,
        writeIntervalMs: flags['write-interval'], killAfterS: flags['kill-after'], killLeader,
        onProgress: (done, ops) => { if (spinner) spinner.text = `${workload} on ${current}: ${Math.round(done * 100)}% (${ops} ops)` },
      },
    }).finally(() => spinner?.stop())
    const files = flags.out ? await writeOutputs(flags.out, workload, rows) : []
    if (!this.jsonEnabled()) {
      this.log(formatTable(workload, rows))
      for (const file of files) this.log(`wrote ${file}`)
    }
    if (rows.every((r) => r.result.ops === 0)) this.error('no operation succeeded', { exit: 4 })
    return rows.map((r) => ({ label: r.label, ...toJson(r.result), files }))
  }

  /** leaderKiller returns a function that SIGKILLs the current leader of a lab cluster. */
  private async leaderKiller(cluster: string): Promise<() => Promise<string>> {
    const state = await readClusterState(cluster)
    if (!state) this.error(`the failover workload needs a lab cluster to kill the leader of; no cluster "${cluster}" (zx cluster up)`, { exit: 2 })
    const control = runtimeControl(await runtimeFor(cluster, state.runtime), state.nodes)
    return async () => {
      const leader = await control.leader()
      if (leader === undefined) throw new Error('no leader to kill')
      await control.kill(leader)
      return leader
    }
  }
}
