/**
 * test/bench/dns/dnsperf.ts: runs Debian's `dnsperf` (a neutral C load tool, `apt-get install
 * dnsperf`) against one DNS port and reduces its output to one figure. With `rateQps` it offers
 * a fixed rate (open loop, `-Q`); without it dnsperf runs saturated (`-q` queries outstanding).
 * dnsperf 2.10 has no latency histogram, so it runs with `-v` (one line per answer carrying the
 * latency in seconds) and the percentiles are computed here from every answered query.
 */
import { spawn } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** DnsperfRun is what one dnsperf run is asked to do. */
export interface DnsperfRun {
  port: number
  seconds: number
  /** rateQps offers a fixed rate (open loop); undefined runs saturated. */
  rateQps: number | undefined
  /** outstandingMax is dnsperf's -q (queries in flight at most). */
  outstandingMax: number
  /** questions are "name type" lines, cycled in order. */
  questions: readonly string[]
}

/** DnsperfResult is one run's figures. */
export interface DnsperfResult {
  tool: 'dnsperf'
  offeredQps: number | 'max'
  sent: number
  answered: number
  lost: number
  qps: number
  p50ms: number
  p99ms: number
  p999ms: number
  maxMs: number
  nonNoError: number
}

/** runDnsperf runs dnsperf once and parses its verbose output. Bounded by seconds + 15 s. */
export function runDnsperf(run: DnsperfRun): Promise<DnsperfResult> {
  const dir = mkdtempSync(join(tmpdir(), 'zx-dnsperf-'))
  const data = join(dir, 'queries.txt')
  writeFileSync(data, `${run.questions.join('\n')}\n`)
  const args = ['-s', '127.0.0.1', '-p', String(run.port), '-d', data, '-l', String(run.seconds), '-c', '1', '-q', String(run.outstandingMax), '-t', '2', '-v']
  if (run.rateQps !== undefined) args.push('-Q', String(run.rateQps))
  // dnsperf writes to a file, parsed after it exits: parsing ~10k lines/s live would steal CPU
  // from the DNS server when it runs in the same process (--dns-only).
  const out = openSync(join(dir, 'out.txt'), 'w')
  return new Promise<DnsperfResult>((resolve, reject) => {
    // ZX_BENCH_DNSPERF_CPUS=<list> pins the load tool to those cores (taskset), so that on a small
    // machine it does not take turns with the server on the same core; run the server with
    // `taskset -c <other cores>` to separate the two completely.
    const cpus = process.env.ZX_BENCH_DNSPERF_CPUS ?? ''
    const [command, argv] = cpus === '' ? ['dnsperf', args] : ['taskset', ['-c', cpus, 'dnsperf', ...args]]
    const child = spawn(command, argv, { stdio: ['ignore', out, 'ignore'] })
    const timer = setTimeout(() => child.kill('SIGKILL'), (run.seconds + 15) * 1000)
    child.on('error', (error) => { clearTimeout(timer); reject(error) })
    child.on('exit', () => {
      clearTimeout(timer)
      resolve(parseDnsperf(readFileSync(join(dir, 'out.txt'), 'latin1'), run.rateQps))
    })
  }).finally(() => { closeSync(out); rmSync(dir, { recursive: true, force: true }) })
}

/**
 * parseDnsperf reduces dnsperf -v output: one "> RCODE name type seconds" line per answer (lost
 * queries print "> T name type" and carry no latency) plus the closing summary.
 */
export function parseDnsperf(text: string, rateQps: number | undefined): DnsperfResult {
  const latencies: number[] = []
  let nonNoError = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith('> ')) continue
    const fields = line.split(' ')
    const seconds = Number(fields[fields.length - 1])
    if (fields[1] === 'T' || !Number.isFinite(seconds)) continue
    latencies.push(seconds * 1000)
    if (fields[1] !== 'NOERROR') nonNoError++
  }
  const sent = Number(/Queries sent:\s+(\d+)/.exec(text)?.[1] ?? NaN)
  const lost = Number(/Queries lost:\s+(\d+)/.exec(text)?.[1] ?? NaN)
  const qps = Number(/Queries per second:\s+([\d.]+)/.exec(text)?.[1] ?? NaN)
  latencies.sort((a, b) => a - b)
  const pct = (p: number): number => latencies.length === 0 ? NaN : Number(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(3))
  return {
    tool: 'dnsperf', offeredQps: rateQps ?? 'max', sent, answered: latencies.length, lost, qps: Math.round(qps),
    p50ms: pct(0.5), p99ms: pct(0.99), p999ms: pct(0.999), maxMs: pct(1), nonNoError,
  }
}
