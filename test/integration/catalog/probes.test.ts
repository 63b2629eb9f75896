// Goal: the real HTTP, TCP and script probes map outcomes to Consul's statuses (2xx passing,
// 429 warning, other/none critical; connect ok passing; exit 0/1/other) and bound output and time.
// Method: a throwaway HTTP server and TCP listener on 127.0.0.1 port 0, /bin/sh scripts.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { realProbes } from '../../../agent/checks/probes.js'

let server: Server
let base = ''

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/ok') { res.end('fine'); return }
    if (req.url === '/busy') { res.statusCode = 429; res.end('slow down'); return }
    if (req.url === '/big') { res.end('y'.repeat(10_000)); return }
    if (req.url === '/hang') return
    if (req.url === '/echo') { let body = ''; req.on('data', (c) => { body += c }); req.on('end', () => res.end(`${req.method} ${req.headers['x-test']} ${body}`)); return }
    res.statusCode = 500; res.end('broken')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => { server.closeAllConnections(); await new Promise((resolve) => server.close(resolve)) })

const spec = (path: string, extra: Partial<{ method: string; header: Record<string, string[]>; body: string }> = {}) =>
  ({ url: base + path, method: 'GET', header: {}, body: '', tlsSkipVerify: false, ...extra })

describe('real probes', () => {
  it('maps HTTP status codes to check statuses', async () => {
    expect(await realProbes.http(spec('/ok'), 2000, 4096)).toMatchObject({ status: 'passing', output: expect.stringContaining('200 OK Output: fine') })
    expect((await realProbes.http(spec('/busy'), 2000, 4096)).status).toBe('warning')
    expect((await realProbes.http(spec('/nope'), 2000, 4096)).status).toBe('critical')
  })
  it('sends method, headers and body, caps output and times out', async () => {
    const echo = await realProbes.http(spec('/echo', { method: 'POST', header: { 'X-Test': ['yes'] }, body: 'hi' }), 2000, 4096)
    expect(echo.output).toContain('POST yes hi')
    const big = await realProbes.http(spec('/big'), 2000, 4096)
    expect(big.output.length).toBeLessThan(4200)
    const started = Date.now()
    const hang = await realProbes.http(spec('/hang'), 300, 4096)
    expect(hang.status).toBe('critical')
    expect(Date.now() - started).toBeLessThan(2000)
  })
  it('reports TCP connect success and refusal', async () => {
    const port = (server.address() as AddressInfo).port
    expect((await realProbes.tcp(`127.0.0.1:${port}`, 1000)).status).toBe('passing')
    expect((await realProbes.tcp('127.0.0.1:1', 1000)).status).toBe('critical')
    expect((await realProbes.tcp('nonsense', 1000)).status).toBe('critical')
  })
  it('maps script exit codes and keeps the output tail', async () => {
    expect((await realProbes.script(['/bin/sh', '-c', 'echo ok'], 2000, 4096))).toEqual({ status: 'passing', output: 'ok\n' })
    expect((await realProbes.script(['/bin/sh', '-c', 'exit 1'], 2000, 4096)).status).toBe('warning')
    expect((await realProbes.script(['/bin/sh', '-c', 'exit 3'], 2000, 4096)).status).toBe('critical')
    expect((await realProbes.script(['/nonexistent/bin'], 2000, 4096)).status).toBe('critical')
    const long = await realProbes.script(['/bin/sh', '-c', 'head -c 9000 /dev/zero | tr "\\0" a; echo END'], 2000, 4096)
    expect(long.output).toMatch(/^Captured 4096 of 9004 bytes/)
    expect(long.output.endsWith('END\n')).toBe(true)
    expect((await realProbes.script(['/bin/sh', '-c', 'sleep 5'], 200, 4096)).status).toBe('critical')
  })
})
