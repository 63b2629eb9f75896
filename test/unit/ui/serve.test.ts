// Goal: /ui is served like a production static server: GET / redirects to /ui/, hashed assets
// are immutable and gzip-encoded when accepted, index.html is no-cache and answers every app
// route (so deep links survive a refresh), unknown assets 404, other methods 405, traversal
// attempts never escape the UI directory, and the real build stays under its size budget.
// Method: a hand-made UI directory (and one real esbuild build) driven through
// createUiHandler with in-memory requests and responses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { acceptsGzip, createUiHandler, findUiDir } from '../../../agent/ui/serve.js'
// @ts-expect-error build.mjs is plain JavaScript without types
import { buildUi } from '../../../agent/ui/build.mjs'
import { FakeRes, asRes, fakeReq } from './fake-http.js'

let dir: string
const js = 'console.log("zx ui")'.repeat(20)

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'zx-ui-serve-'))
  mkdirSync(join(dir, 'assets'))
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>zx</title>')
  writeFileSync(join(dir, 'assets', 'main-ABCD1234.js'), js)
  writeFileSync(join(dir, 'assets', 'main-ABCD1234.js.gz'), gzipSync(js))
  writeFileSync(join(dir, 'favicon.svg'), '<svg/>')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function get(url: string, headers: Record<string, string> = {}, method = 'GET') {
  const res = new FakeRes()
  const handled = await createUiHandler({ dir })(fakeReq(method, url, headers), asRes(res))
  return { handled, res }
}

describe('uiHandler', () => {
  it('redirects / and /ui to /ui/ and ignores other paths', async () => {
    const root = await get('/')
    expect(root.res.status).toBe(301)
    expect(root.res.headers.location).toBe('/ui/')
    expect((await get('/ui')).res.headers.location).toBe('/ui/')
    expect((await get('/v1/kv/a')).handled).toBe(false)
    expect((await get('/uix')).handled).toBe(false)
  })

  it('serves hashed assets immutable, gzipped when accepted, plain otherwise', async () => {
    const gz = await get('/ui/assets/main-ABCD1234.js', { 'accept-encoding': 'gzip, deflate, br' })
    expect(gz.res.status).toBe(200)
    expect(gz.res.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(gz.res.headers['cache-control']).toContain('immutable')
    expect(gz.res.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(gz.res.body()).toString()).toBe(js)
    const plain = await get('/ui/assets/main-ABCD1234.js')
    expect(plain.res.headers['content-encoding']).toBeUndefined()
    expect(plain.res.text()).toBe(js)
    expect(plain.res.headers['x-content-type-options']).toBe('nosniff')
  })

  it('answers every app route with index.html, no-cache, and 304 on a matching ETag', async () => {
    for (const path of ['/ui/', '/ui/dc1/services', '/ui/dc1/kv/a/b/', '/ui/dc1/raft']) {
      const { res } = await get(path)
      expect(res.status).toBe(200)
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
      expect(res.headers['cache-control']).toBe('no-cache')
      expect(res.text()).toContain('<title>zx</title>')
    }
    const first = await get('/ui/dc1/nodes')
    const again = await get('/ui/dc1/nodes', { 'if-none-match': first.res.headers.etag! })
    expect(again.res.status).toBe(304)
    expect(again.res.body().length).toBe(0)
  })

  it('404s a missing asset, 405s writes, and never serves files outside the UI directory', async () => {
    expect((await get('/ui/assets/nope-12345678.js')).res.status).toBe(404)
    const put = await get('/ui/dc1/services', {}, 'PUT')
    expect(put.res.status).toBe(405)
    expect(put.res.headers.allow).toBe('GET, HEAD')
    for (const path of ['/ui/../package.json', '/ui/%2e%2e/%2e%2e/etc/passwd', '/ui/assets/..%2f..%2fpackage.json']) {
      const { res } = await get(path)
      expect(res.text()).not.toContain('"name"')
      expect(res.text()).not.toContain('root:')
    }
    const head = await get('/ui/assets/main-ABCD1234.js', {}, 'HEAD')
    expect(head.res.status).toBe(200)
    expect(head.res.body().length).toBe(0)
  })

  it('says how to build the UI when no build exists', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'zx-ui-empty-'))
    const res = new FakeRes()
    await createUiHandler({ dir: empty })(fakeReq('GET', '/ui/'), asRes(res))
    expect(res.status).toBe(503)
    expect(res.text()).toContain('build.mjs')
    expect(findUiDir([empty, dir])).toBe(dir)
    rmSync(empty, { recursive: true, force: true })
  })

  it('parses Accept-Encoding including q=0 refusals', () => {
    expect(acceptsGzip('gzip')).toBe(true)
    expect(acceptsGzip('br, gzip;q=0.5')).toBe(true)
    expect(acceptsGzip('gzip;q=0')).toBe(false)
    expect(acceptsGzip('*')).toBe(true)
    expect(acceptsGzip(undefined)).toBe(false)
    expect(acceptsGzip('deflate, br')).toBe(false)
  })
})

describe('build.mjs', () => {
  it('writes hashed, gzipped assets under the 150 KB gzip budget, referenced by index.html', async () => {
    const out = mkdtempSync(join(tmpdir(), 'zx-ui-build-'))
    try {
      const { files } = await buildUi({ outDir: out })
      const names = Object.keys(files)
      const bundle = names.find((n) => /^assets\/main-[A-Z0-9]{8}\.js$/.test(n))
      expect(bundle).toBeDefined()
      const total = Object.values(files as Record<string, { gzipBytes: number }>).reduce((s, f) => s + f.gzipBytes, 0)
      expect(total).toBeLessThan(150 * 1024)
      const index = readFileSync(join(out, 'index.html'), 'utf8')
      expect(index).toContain(`/ui/${bundle}`)
      expect(readFileSync(join(out, `${bundle}.gz`)).length).toBeGreaterThan(0)
      const res = new FakeRes()
      await createUiHandler({ dir: out })(fakeReq('GET', `/ui/${bundle}`, { 'accept-encoding': 'gzip' }), asRes(res))
      expect(res.headers['cache-control']).toContain('immutable')
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })
})
