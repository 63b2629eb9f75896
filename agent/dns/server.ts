/**
 * agent/dns/server.ts: the agent's DNS interface (port 8600) over UDP and TCP. Each datagram or
 * TCP frame (2-byte length prefix, RFC 1035 §4.2.2) is decoded with dns-packet; an undecodable
 * packet gets FORMERR when it has a header to answer, otherwise it is dropped and counted. Names
 * in the agent's domain are answered from the DnsBackend; others go to the recursors (REFUSED
 * when none are configured, SERVFAIL when none answers). Nothing a client sends can throw out of
 * a handler: every path ends in a response, a counted drop, or a closed TCP connection.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { createServer, type Server, type Socket } from 'node:net'
import { defaultDnsConfig, type DnsConfig } from '../config/dns.js'
import { Xoshiro128, randomSeed, type Prng } from '../util/prng.js'
import type { DnsBackend } from './backend.js'
import { DnsHandler, type DnsStats } from './handler.js'

/**
 * dnsDefaults bound the DNS server's sockets. The answer settings (Consul's dns_config) have
 * their defaults in agent/config/defaults.ts (dnsConfigDefaults).
 */
export const dnsDefaults = {
  tcpFrameBytesMax: 65_535,   // a DNS message never exceeds 64 KiB
  /**
   * udpRecvBufferBytes: 4 MiB of queued queries (~5,000 datagrams) rides out a 0.5 s stall at
   * 10,000 q/s instead of dropping; the kernel caps it at net.core.rmem_max (default ~208 KiB).
   */
  udpRecvBufferBytes: 4 * 1024 * 1024,
  tcpIdleMs: 10_000,          // close idle TCP connections
  tcpConnectionsMax: 512,     // bound open TCP connections
} as const

/** DnsServerOptions configure a DnsServer. */
export interface DnsServerOptions {
  bindAddress: string
  /** port 0 picks a free port (tests); UDP and TCP share it. */
  port: number
  backend: DnsBackend
  datacenter: string
  /** config is the agent's `domain` + `dns_config` (RuntimeConfig.dns); Consul's defaults when absent. */
  config?: DnsConfig
  recursors?: readonly string[]
  /** domain, recursorTimeoutMs and udpAnswerLimit override `config` (tests). */
  domain?: string
  recursorTimeoutMs?: number
  udpAnswerLimit?: number
  rng?: Prng
}

/** DnsServer is a running DNS interface. */
export class DnsServer {
  private readonly sockets = new Set<Socket>()
  private readonly handler: DnsHandler

  private constructor(options: DnsServerOptions, private readonly udp: UdpSocket, private readonly tcp: Server) {
    this.handler = createDnsHandler(options)
  }

  /** start binds UDP and TCP on the same port. */
  static async start(options: DnsServerOptions): Promise<DnsServer> {
    const udp = createSocket({ type: options.bindAddress.includes(':') ? 'udp6' : 'udp4', reuseAddr: false, recvBufferSize: dnsDefaults.udpRecvBufferBytes })
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject)
      udp.bind(options.port, options.bindAddress, () => { udp.off('error', reject); resolve() })
    })
    const port = udp.address().port
    const tcp = createServer()
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject)
        tcp.listen(port, options.bindAddress, () => { tcp.off('error', reject); resolve() })
      })
    } catch (error) {
      udp.close()
      throw error
    }
    const server = new DnsServer(options, udp, tcp)
    udp.on('message', (message, remote) => { void server.onDatagram(message, remote.address, remote.port) })
    udp.on('error', () => { server.handler.stat.dropped++ })
    tcp.on('connection', (socket) => server.onConnection(socket))
    tcp.maxConnections = dnsDefaults.tcpConnectionsMax
    return server
  }

  /** port is the bound port (UDP and TCP). */
  get port(): number { return this.udp.address().port }

  /** stats returns a copy of the counters. */
  stats(): DnsStats { return { ...this.handler.stat } }

  /** close stops both listeners and drops open TCP connections. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await Promise.all([
      new Promise<void>((resolve) => this.udp.close(() => resolve())),
      new Promise<void>((resolve) => this.tcp.close(() => resolve())),
    ])
  }

  private async onDatagram(message: Buffer, address: string, port: number): Promise<void> {
    const response = await this.handler.handle(message, false)
    if (response === undefined) return
    try {
      this.udp.send(response, port, address) // no callback: a send error is the socket's 'error' (counted)
    } catch {
      // The socket closed while the answer was being built (shutdown): drop it.
      this.handler.stat.dropped++
    }
  }

  private onConnection(socket: Socket): void {
    this.sockets.add(socket)
    socket.setTimeout(dnsDefaults.tcpIdleMs, () => socket.destroy())
    socket.on('close', () => this.sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    let buffered = Buffer.alloc(0)
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk])
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0)
        if (length === 0) { this.handler.stat.dropped++; socket.destroy(); return }
        if (buffered.length < 2 + length) break
        const frame = buffered.subarray(2, 2 + length)
        buffered = buffered.subarray(2 + length)
        this.handler.stat.tcpQueries++
        void this.handler.handle(frame, true).then((response) => {
          if (response === undefined || socket.destroyed) return
          if (response.length > dnsDefaults.tcpFrameBytesMax) { this.handler.stat.dropped++; return }
          const prefix = Buffer.alloc(2)
          prefix.writeUInt16BE(response.length)
          socket.write(Buffer.concat([prefix, response]))
        })
      }
    })
  }
}


/** createDnsHandler builds the socket-free handler from server options (tests use it directly). */
export function createDnsHandler(options: Omit<DnsServerOptions, 'bindAddress' | 'port'>): DnsHandler {
  const recursors = options.recursors ?? []
  const config = options.config ?? defaultDnsConfig()
  return new DnsHandler({
    backend: options.backend,
    recursors,
    recursorTimeoutMs: options.recursorTimeoutMs ?? config.recursorTimeoutMs,
    rng: options.rng ?? new Xoshiro128(randomSeed()),
    disableCompression: config.disableCompression,
    config: {
      domain: options.domain ?? config.domain,
      datacenter: options.datacenter,
      nodeTtl: config.nodeTtlS,
      serviceTtlS: config.serviceTtlS,
      udpAnswerLimit: options.udpAnswerLimit ?? config.udpAnswerLimit,
      aRecordLimit: config.aRecordLimit,
      enableTruncate: config.enableTruncate,
      recursionAvailable: recursors.length > 0,
    },
  })
}
