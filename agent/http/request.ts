/**
 * agent/http/request.ts: the parsed form of one HTTP request that handlers see. It is built
 * for every request and lives as long as the request: a blocking query keeps it for up to ten
 * minutes, and ten thousand parked queries are a normal load, so it keeps only what handlers
 * read. The path and query are split from the request target without a URL object (the
 * WHATWG parser is the fallback for targets the split cannot answer the same way), and the
 * AbortSignal exists only once a handler asks for it.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import { httpDefaults } from '../config/defaults.js'
import { ZxError } from '../errors.js'
import type { HttpRequest } from './route.js'

/** Target is a request target split into its decoded path and its query parameters. */
export interface Target {
  path: string
  query: URLSearchParams
}

/** plainPath: printable ASCII only, and no segment that starts with a dot (no dot-segment to resolve). */
const plainPath = /^\/[\x21-\x7e]*$/
const dotSegment = /\/(\.|%2e)/i

/**
 * splitTarget decodes a request target (`/v1/kv/a%20b?index=3`) into its path and query.
 * It answers exactly what `new URL(target, base)` followed by decodeURIComponent would: for
 * printable-ASCII origin-form targets without dot segments, backslashes or fragments the two
 * agree by construction; anything else goes through the URL parser. A path whose percent
 * escapes do not decode is a 400, as before.
 */
export function splitTarget(target: string): Target {
  const q = target.indexOf('?')
  const rawPath = q < 0 ? target : target.slice(0, q)
  const rawQuery = q < 0 ? '' : target.slice(q + 1)
  if (!plainPath.test(rawPath) || dotSegment.test(rawPath) || rawPath.includes('\\') || target.includes('#') || !/^[\x20-\x7e]*$/.test(rawQuery)) {
    const url = new URL(target, 'http://agent')
    return { path: decodePath(url.pathname), query: url.searchParams }
  }
  return { path: decodePath(rawPath), query: new URLSearchParams(rawQuery) }
}

function decodePath(path: string): string {
  if (!path.includes('%')) return path
  try {
    return decodeURIComponent(path)
  } catch {
    throw new ZxError('ZX_ERR_BAD_REQUEST', 'Invalid URL path encoding')
  }
}

/** IncomingRequest is the HttpRequest of one request on the wire. */
export class IncomingRequest implements HttpRequest {
  private controller: AbortController | undefined

  constructor(
    readonly raw: IncomingMessage,
    private readonly res: ServerResponse,
    readonly path: string,
    readonly rest: string,
    readonly query: URLSearchParams,
  ) {}

  /** method is the request method (GET when the parser gave none). */
  get method(): string {
    return this.raw.method ?? 'GET'
  }

  /** headers are the request headers (Node builds the object on first use). */
  get headers(): IncomingHttpHeaders {
    return this.raw.headers
  }

  /**
   * signal aborts when the client goes away before the response is finished. It is made on
   * first use: most requests never ask, and a listener per parked request is memory.
   */
  get signal(): AbortSignal {
    if (this.controller !== undefined) return this.controller.signal
    const controller = new AbortController()
    this.controller = controller
    const res = this.res
    if (res.writableFinished) return controller.signal
    if (res.destroyed || this.raw.socket?.destroyed === true) controller.abort()
    else res.once('close', () => { if (!res.writableFinished) controller.abort() })
    return controller.signal
  }

  /** body reads the request body, failing with 413 above limitBytes. */
  body(limitBytes?: number, tooLarge?: (bytes: number, limit: number) => string): Promise<Buffer> {
    return readBody(this.raw, limitBytes ?? httpDefaults.bodyBytesMax, tooLarge)
  }
}

function readBody(req: IncomingMessage, limit: number, tooLarge?: (bytes: number, limit: number) => string): Promise<Buffer> {
  const message = tooLarge ?? ((bytes: number, max: number) => `Request body(${bytes} bytes) too large, max size: ${max} bytes`)
  const declared = Number(req.headers['content-length'] ?? NaN)
  if (Number.isFinite(declared) && declared > limit) {
    req.resume()
    return Promise.reject(new ZxError('ZX_ERR_TOO_LARGE', message(declared, limit), { status: 413 }))
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let failed = false
    req.on('data', (chunk: Buffer) => {
      if (failed) return
      size += chunk.length
      if (size > limit) {
        failed = true
        reject(new ZxError('ZX_ERR_TOO_LARGE', message(size, limit), { status: 413 }))
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => { if (!failed) resolve(Buffer.concat(chunks)) })
    req.on('error', (error) => { if (!failed) { failed = true; reject(new ZxError('ZX_ERR_BAD_REQUEST', `error reading body: ${error.message}`)) } })
  })
}
