/**
 * agent/checks/probes.ts: the real I/O behind HTTP, TCP and script checks. Each probe resolves
 * (never rejects) with a status and the output Consul would record: HTTP 2xx → passing, 429 →
 * warning, anything else or no answer → critical; TCP connect → passing; script exit 0 →
 * passing, 1 → warning, else critical. Every probe is bounded by its timeout.
 */
import { spawn } from 'node:child_process'
import { STATUS_CODES } from 'node:http'
import { connect } from 'node:net'
import { Agent, request } from 'undici'
import type { HealthStatus, HttpCheckSpec } from './definition.js'

/** ProbeResult is one probe outcome. */
export interface ProbeResult {
  status: HealthStatus
  output: string
}

/** Probes are the I/O a CheckRunner calls; tests pass fakes. */
export interface Probes {
  http(spec: HttpCheckSpec, timeoutMs: number, outputMaxSize: number): Promise<ProbeResult>
  tcp(address: string, timeoutMs: number): Promise<ProbeResult>
  script(args: string[], timeoutMs: number, outputMaxSize: number): Promise<ProbeResult>
}

let verifying: Agent | undefined
let skipping: Agent | undefined

function dispatcher(tlsSkipVerify: boolean): Agent {
  if (tlsSkipVerify) return (skipping ??= new Agent({ connect: { rejectUnauthorized: false }, keepAliveTimeout: 1000 }))
  return (verifying ??= new Agent({ keepAliveTimeout: 1000 }))
}

async function httpProbe(spec: HttpCheckSpec, timeoutMs: number, outputMaxSize: number): Promise<ProbeResult> {
  const prefix = `HTTP ${spec.method} ${spec.url}`
  try {
    const headers: Record<string, string> = { 'user-agent': 'Consul Health Check', accept: 'text/plain, text/*, */*' }
    for (const [name, values] of Object.entries(spec.header)) if (values.length > 0) headers[name.toLowerCase()] = values.join(', ')
    const response = await request(spec.url, {
      method: spec.method as 'GET',
      headers,
      body: spec.body === '' ? undefined : spec.body,
      dispatcher: dispatcher(spec.tlsSkipVerify),
      signal: AbortSignal.timeout(timeoutMs),
    })
    const body = await readLimited(response.body, outputMaxSize)
    const code = response.statusCode
    const output = `${prefix}: ${code} ${STATUS_CODES[code] ?? ''} Output: ${body}`
    const status: HealthStatus = code >= 200 && code < 300 ? 'passing' : code === 429 ? 'warning' : 'critical'
    return { status, output }
  } catch (error) {
    return { status: 'critical', output: `${prefix}: ${describeError(error, timeoutMs)}` }
  }
}

async function readLimited(body: AsyncIterable<Buffer> & { destroy(): void }, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    chunks.push(chunk)
    size += chunk.length
    if (size >= maxBytes) { body.destroy(); break }
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8')
}

function describeError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `Get: timeout after ${timeoutMs}ms`
  const code = (error as { code?: string }).code
  const message = error instanceof Error ? error.message : String(error)
  return code && !message.includes(code) ? `${code} ${message}` : message
}

function tcpProbe(address: string, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const split = address.lastIndexOf(':')
    const host = address.slice(0, split).replace(/^\[|\]$/g, '')
    const port = Number(address.slice(split + 1))
    if (split <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
      resolve({ status: 'critical', output: `TCP connect ${address}: invalid address` })
      return
    }
    const socket = connect({ host, port })
    const finish = (result: ProbeResult): void => { clearTimeout(timer); socket.destroy(); resolve(result) }
    const timer = setTimeout(() => finish({ status: 'critical', output: `TCP connect ${address}: i/o timeout` }), timeoutMs)
    socket.once('connect', () => finish({ status: 'passing', output: `TCP connect ${address}: Success` }))
    socket.once('error', (error) => finish({ status: 'critical', output: `TCP connect ${address}: ${error.message}` }))
  })
}

function scriptProbe(args: string[], timeoutMs: number, outputMaxSize: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let captured = Buffer.alloc(0)
    let total = 0
    const keep = (chunk: Buffer): void => {
      // Like Consul, keep the tail of the output: the end of a script's output says why it failed.
      total += chunk.length
      captured = Buffer.concat([captured, chunk])
      if (captured.length > outputMaxSize) captured = captured.subarray(captured.length - outputMaxSize)
    }
    const output = (): string => total > outputMaxSize
      ? `Captured ${outputMaxSize} of ${total} bytes\n...\n${captured.toString('utf8')}`
      : captured.toString('utf8')
    let settled = false
    const done = (result: ProbeResult): void => { if (!settled) { settled = true; clearTimeout(timer); resolve(result) } }
    const child = spawn(args[0]!, args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      done({ status: 'critical', output: `Timed out (${timeoutMs}ms) running check` })
    }, timeoutMs)
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    child.once('error', (error) => done({ status: 'critical', output: `Check failed to start: ${error.message}` }))
    child.once('close', (code) => {
      const status: HealthStatus = code === 0 ? 'passing' : code === 1 ? 'warning' : 'critical'
      done({ status, output: output() })
    })
  })
}

/** realProbes are the probes the agent uses. */
export const realProbes: Probes = { http: httpProbe, tcp: tcpProbe, script: scriptProbe }
