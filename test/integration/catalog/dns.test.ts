// Goal: the DNS interface over real sockets: UDP answers with TC past the answer limit and
// full answers over TCP (real dig falls back by itself), forwarding of foreign names to a
// recursor (answer relayed; SERVFAIL when the recursor is silent), FORMERR for a malformed UDP
// query and survival of a garbage TCP stream; a server built from a dns_config JSON block
// answers with its TTLs and limits (seen by real dig). Method: DnsServer on 127.0.0.1 ports 24700–24799
// over a LocalDnsBackend on real CatalogTables; a fake upstream resolver on a UDP port 0 socket.
import { execFile } from 'node:child_process'
import { createSocket, type Socket } from 'node:dgram'
import { connect } from 'node:net'
import { promisify } from 'node:util'
import * as packet from 'dns-packet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadRuntimeConfig } from '../../../agent/config/build.js'
import { LocalDnsBackend } from '../../../agent/dns/backend.js'
import { DnsServer } from '../../../agent/dns/server.js'
import { CatalogTables } from '../../../agent/state/catalog.js'
import { normalizeRegister } from '../../../agent/state/catalog-types.js'
import { TableIndexes } from '../../../agent/state/indexes.js'

const run = promisify(execFile)
let server: DnsServer
let silent: DnsServer
let upstream: Socket
let mute: Socket
let tuned: DnsServer

beforeAll(async () => {
  const catalog = new CatalogTables(new TableIndexes())
  for (let i = 0; i < 12; i++) {
    catalog.applyRegister(i + 1, normalizeRegister({ Node: `n${i}`, Address: `10.3.0.${i + 1}`, Service: { Service: 'many', Port: 7000 + i } }, { datacenter: 'dc1' }))
  }
  upstream = createSocket('udp4')
  upstream.on('message', (message, remote) => {
    const query = packet.decode(message)
    const reply = packet.encode({ type: 'response', id: query.id, flags: packet.RECURSION_AVAILABLE, questions: query.questions, answers: [{ type: 'A', name: query.questions![0]!.name, ttl: 60, data: '93.184.216.34' }] })
    upstream.send(reply, remote.port, remote.address)
  })
  await new Promise<void>((resolve) => upstream.bind(0, '127.0.0.1', resolve))
  mute = createSocket('udp4')
  await new Promise<void>((resolve) => mute.bind(0, '127.0.0.1', resolve))
  const backend = new LocalDnsBackend(catalog)
  server = await DnsServer.start({ bindAddress: '127.0.0.1', port: 24701, backend, datacenter: 'dc1', recursors: [`127.0.0.1:${upstream.address().port}`] })
  silent = await DnsServer.start({ bindAddress: '127.0.0.1', port: 24702, backend, datacenter: 'dc1', recursors: [`127.0.0.1:${mute.address().port}`], recursorTimeoutMs: 300 })
  const json = { dns_config: { service_ttl: { 'ma*': '45s' }, node_ttl: '20s', a_record_limit: 2, enable_truncate: false } }
  const config = loadRuntimeConfig(['-data-dir', '/d'], { env: { ZX_LOCAL_CONFIG: JSON.stringify(json) }, hostname: () => 'h', privateIps: () => [], pid: 1, tmpdir: () => '/tmp' })
  tuned = await DnsServer.start({ bindAddress: '127.0.0.1', port: 24703, backend, datacenter: 'dc1', config: config.dns })
})

afterAll(async () => {
  await server.close(); await silent.close(); await tuned.close(); upstream.close(); mute.close()
})

async function dig(port: number, ...args: string[]): Promise<string> {
  return (await run('dig', ['@127.0.0.1', '-p', String(port), '+time=2', '+tries=1', ...args])).stdout
}

function udpAsk(port: number, bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4')
    const timer = setTimeout(() => { socket.close(); reject(new Error('no answer')) }, 2000)
    socket.on('message', (message) => { clearTimeout(timer); socket.close(); resolve(message) })
    socket.send(bytes, port, '127.0.0.1')
  })
}

describe('DNS over sockets', () => {
  it('truncates over UDP and answers fully over TCP', async () => {
    const udp = await dig(24701, 'many.service.consul', 'SRV', '+ignore', '+noedns')
    expect(udp).toMatch(/flags:[^;]*\btc\b/)
    expect((await dig(24701, 'many.service.consul', 'SRV', '+tcp', '+short')).trim().split('\n')).toHaveLength(12)
    // Without +ignore, dig retries over TCP on TC and prints the whole answer.
    expect((await dig(24701, 'many.service.consul', 'SRV', '+short')).trim().split('\n')).toHaveLength(12)
  })
  it('answers with the dns_config TTLs and limits', async () => {
    const a = (await dig(24703, 'many.service.consul', 'A', '+noall', '+answer', '+tcp')).trim().split('\n')
    expect(a).toHaveLength(2) // a_record_limit 2, over TCP too
    for (const line of a) expect(line).toMatch(/^many\.service\.consul\.\s+45\s+IN\s+A\s+10\.3\.0\.\d+$/)
    expect((await dig(24703, 'n3.node.consul', 'A', '+noall', '+answer')).trim()).toMatch(/\s20\s+IN\s+A\s+10\.3\.0\.4$/)
    const trimmed = await dig(24703, 'many.service.consul', 'SRV', '+ignore', '+noedns')
    expect(trimmed).not.toMatch(/flags:[^;]*\btc\b/) // enable_truncate false: trimmed to 3, no TC
    expect(trimmed).toMatch(/ANSWER: 3,/)
  })
  it('forwards foreign names to recursors and fails with SERVFAIL when they are silent', async () => {
    expect((await dig(24701, 'example.com', 'A', '+short')).trim()).toBe('93.184.216.34')
    expect(await dig(24702, 'example.com', 'A')).toMatch(/status: SERVFAIL/)
    expect(server.stats().recursed).toBeGreaterThan(0)
  })
  it('answers FORMERR to a malformed query and survives a garbage TCP stream', async () => {
    const malformed = Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f, 0x61])
    const reply = await udpAsk(24701, malformed)
    expect(reply.readUInt16BE(0)).toBe(0x1234)
    expect(reply.readUInt16BE(2) & 0xf).toBe(1)
    await new Promise<void>((resolve) => {
      const socket = connect(24701, '127.0.0.1', () => { socket.write(Buffer.from([0x00, 0x05, 1, 2, 3, 4, 5, 0x00, 0x00])); setTimeout(() => { socket.destroy(); resolve() }, 100) })
      socket.on('error', () => resolve())
    })
    expect((await dig(24701, 'n3.node.consul', 'A', '+short')).trim()).toBe('10.3.0.4')
  })
})
