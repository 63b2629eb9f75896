/**
 * test/unit/ui/fake-http.ts: in-memory stand-ins for IncomingMessage and ServerResponse, so the
 * UI's handlers can be driven without sockets (sockets belong in test/integration).
 */
import { EventEmitter } from 'node:events'
import type { IncomingMessage, ServerResponse } from 'node:http'

/** FakeRes records what a handler wrote. */
export class FakeRes extends EventEmitter {
  status = 0
  headers: Record<string, string> = {}
  chunks: Buffer[] = []
  ended = false
  headersSent = false
  destroyed = false
  writeHead(status: number, headers: Record<string, string> = {}): this {
    this.status = status
    this.headers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]))
    this.headersSent = true
    return this
  }
  write(chunk: string | Buffer): boolean {
    this.chunks.push(Buffer.from(chunk))
    return true
  }
  end(chunk?: string | Buffer): this {
    if (chunk !== undefined) this.chunks.push(Buffer.from(chunk))
    this.ended = true
    this.emit('finish')
    return this
  }
  /** disconnect simulates the client going away. */
  disconnect(): void {
    this.destroyed = true
    this.emit('close')
  }
  body(): Buffer {
    return Buffer.concat(this.chunks)
  }
  text(): string {
    return this.body().toString('utf8')
  }
}

/** fakeReq builds a request with a method, URL and headers. */
export function fakeReq(method: string, url: string, headers: Record<string, string> = {}): IncomingMessage {
  return { method, url, headers } as unknown as IncomingMessage
}

/** asRes casts a FakeRes for a handler's signature. */
export function asRes(res: FakeRes): ServerResponse {
  return res as unknown as ServerResponse
}
