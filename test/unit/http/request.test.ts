// Goal: the URL-free request-target split (agent/http/request.ts) gives handlers exactly the
// path and query the WHATWG URL parser + decodeURIComponent gave before, and the lazily made
// AbortSignal still fires when a client goes away. Method: compare splitTarget with URL on a
// table of ordinary and awkward targets; drive a real HTTP server whose handler asks for the
// signal after its client has hung up, and one that never asks.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { IncomingRequest, splitTarget } from '../../../agent/http/request.js'

function viaUrl(target: string): { path: string; query: [string, string][] } {
  const url = new URL(target, 'http://agent')
  return { path: decodeURIComponent(url.pathname), query: [...url.searchParams] }
}

describe('splitTarget', () => {
  const targets = [
    '/v1/kv/a', '/v1/kv/a?index=3&wait=10s', '/v1/kv/a%20b?recurse', '/v1/kv/a/b/c?keys&separator=/',
    '/v1/kv/%E2%9C%93', '/v1/kv/a+b?x=a+b&y=%2B', '/v1/kv/a/./b', '/v1/kv/a/../b', '/v1/kv/%2e%2e/x',
    '/v1/kv/.hidden', '/v1/kv/a\\b', '/v1/kv/a#frag?x=1', '/v1/kv/a?x=1#frag', '/v1/kv/a?x=%zz',
    '/v1/kv/{a}?q=<b>', '/v1/kv/a?dc=DC1&pretty', '/', '/v1/kv/a?', '/v1/kv/é', '/v1/kv/a?k=é',
  ]
  for (const target of targets) {
    it(`agrees with the URL parser on ${JSON.stringify(target)}`, () => {
      const split = splitTarget(target)
      expect({ path: split.path, query: [...split.query] }).toEqual(viaUrl(target))
    })
  }

  it('answers a bad percent escape in the path with a 400, like before', () => {
    expect(() => splitTarget('/v1/kv/%zz')).toThrow(expect.objectContaining({ code: 'ZX_ERR_BAD_REQUEST', status: 400 }))
  })
})

describe('IncomingRequest.signal', () => {
  async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ port: number; close: () => Promise<void> }> {
    const server = createServer(handler)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return { port: (server.address() as AddressInfo).port, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }) }
  }

  it('aborts when the client goes away, even if asked for after the hang-up', async () => {
    let aborted: Promise<boolean> | undefined
    let hungUp!: () => void
    const clientGone = new Promise<void>((resolve) => { hungUp = resolve })
    const server = await serve((req, res) => {
      const request = new IncomingRequest(req, res, '/x', '', new URLSearchParams())
      aborted = clientGone.then(() => new Promise((resolve) => setTimeout(() => {
        const signal = request.signal
        if (signal.aborted) resolve(true)
        else signal.addEventListener('abort', () => resolve(true), { once: true })
      }, 50)))
    })
    const client = httpRequest({ host: '127.0.0.1', port: server.port, path: '/x' })
    client.on('error', () => undefined)
    client.end()
    await new Promise((resolve) => setTimeout(resolve, 50))
    client.destroy()
    hungUp()
    await expect(Promise.race([aborted!, new Promise((resolve) => setTimeout(() => resolve('timeout'), 2_000))])).resolves.toBe(true)
    await server.close()
  })

  it('does not abort a request that was answered', async () => {
    let signal: AbortSignal | undefined
    const server = await serve((req, res) => {
      const request = new IncomingRequest(req, res, '/x', '', new URLSearchParams())
      signal = request.signal
      res.end('ok')
    })
    await new Promise<void>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port: server.port, path: '/x' }, (res) => { res.resume(); res.on('end', () => resolve()) }).on('error', reject).end()
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(signal!.aborted).toBe(false)
    await server.close()
  })
})
