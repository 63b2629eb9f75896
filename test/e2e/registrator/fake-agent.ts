// A small stand-in for a Consul agent's HTTP API, used by the registrator e2e until `zx agent`
// runs: it records every call, keeps agent services (which double as the catalog of a
// one-node cluster), and runs registered HTTP checks itself so `?passing` means something.
// It validates bodies like the agent (400 on bad JSON or a missing Name) so registrator bugs show.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'

interface Service { ID: string; Service: string; Address: string; Port: number; Tags: string[]; Meta: Record<string, string>; check?: { HTTP?: string; TTL?: string }; status: string }

/** FakeAgent is a recording fake of /v1/agent, /v1/catalog, /v1/health and /v1/status. */
export class FakeAgent {
  readonly calls: string[] = []
  readonly services = new Map<string, Service>()
  private server: Server | undefined
  private timer: NodeJS.Timeout | undefined

  async listen(port: number): Promise<string> {
    this.server = createServer((req, res) => { void this.handle(req, res) })
    await new Promise<void>((resolve, reject) => { this.server!.once('error', reject); this.server!.listen(port, '127.0.0.1', resolve) })
    this.timer = setInterval(() => { void this.runChecks() }, 300)
    return `http://127.0.0.1:${port}`
  }

  async close(): Promise<void> {
    clearInterval(this.timer)
    this.server?.closeAllConnections()
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve())
  }

  private async runChecks(): Promise<void> {
    for (const service of this.services.values()) {
      if (service.check?.HTTP === undefined) continue
      try {
        const response = await fetch(service.check.HTTP, { signal: AbortSignal.timeout(1_000) })
        service.status = response.ok ? 'passing' : 'critical'
      } catch { service.status = 'critical' }
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const url = new URL(req.url ?? '/', 'http://fake')
    this.calls.push(`${req.method} ${url.pathname}`)
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' })
      res.end(typeof body === 'string' ? body : JSON.stringify(body))
    }
    const path = url.pathname
    if (req.method === 'GET' && path === '/v1/status/leader') return send(200, '"127.0.0.1:8300"')
    if (req.method === 'PUT' && path === '/v1/agent/service/register') {
      let body: { ID?: string; Name?: string; Address?: string; Port?: number; Tags?: string[]; Meta?: Record<string, string>; Check?: Service['check'] }
      try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')) } catch { return send(400, 'Request decode failed') }
      if (typeof body.Name !== 'string' || body.Name === '') return send(400, 'Missing service name')
      const id = body.ID ?? body.Name
      const old = this.services.get(id)
      this.services.set(id, { ID: id, Service: body.Name, Address: body.Address ?? '', Port: body.Port ?? 0, Tags: body.Tags ?? [], Meta: body.Meta ?? {}, check: body.Check, status: old?.status ?? (body.Check ? 'critical' : 'passing') })
      return send(200, '')
    }
    if (req.method === 'PUT' && path.startsWith('/v1/agent/service/deregister/')) {
      this.services.delete(decodeURIComponent(path.slice('/v1/agent/service/deregister/'.length)))
      return send(200, '')
    }
    if (req.method === 'PUT' && path.startsWith('/v1/agent/check/pass/')) return send(200, '')
    if (req.method === 'GET' && path === '/v1/agent/services') {
      return send(200, Object.fromEntries([...this.services.values()].map((s) => [s.ID, { ID: s.ID, Service: s.Service, Address: s.Address, Port: s.Port, Tags: s.Tags, Meta: s.Meta }])))
    }
    if (req.method === 'GET' && path.startsWith('/v1/catalog/service/')) {
      const name = decodeURIComponent(path.slice('/v1/catalog/service/'.length))
      return send(200, [...this.services.values()].filter((s) => s.Service === name).map((s) => ({
        Node: 'fake', Address: '127.0.0.1', ServiceID: s.ID, ServiceName: s.Service, ServiceAddress: s.Address, ServicePort: s.Port, ServiceTags: s.Tags, ServiceMeta: s.Meta,
      })))
    }
    if (req.method === 'GET' && path.startsWith('/v1/health/service/')) {
      const name = decodeURIComponent(path.slice('/v1/health/service/'.length))
      const passingOnly = url.searchParams.has('passing')
      return send(200, [...this.services.values()].filter((s) => s.Service === name && (!passingOnly || s.status === 'passing')).map((s) => ({
        Node: { Node: 'fake' }, Service: { ID: s.ID, Service: s.Service, Address: s.Address, Port: s.Port, Tags: s.Tags },
        Checks: [{ CheckID: `service:${s.ID}`, Status: s.status }],
      })))
    }
    return send(404, `no route ${path}`)
  }
}
