// Goal: the demo web API parses its port/settings options, answers /health, /api/instance with
// its settings, reports a broken settings file instead of crashing, and rejects other methods.
// Method: call handleDemoRequest with minimal request/response doubles (no sockets) and a temp file.
import { mkdtempSync, writeFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { handleDemoRequest, parseDemoOptions, SettingsReader } from '../../../templates/demo/server.js'

function call(method: string, url: string, settingsFile: string): { status: number; body: Record<string, unknown> } {
  let status = 0
  let text = ''
  const response = {
    setHeader: () => {}, writeHead: (code: number) => { status = code }, end: (chunk?: string) => { text = chunk ?? '' },
  } as unknown as ServerResponse
  const options = parseDemoOptions(['--port', '8080', `--settings=${settingsFile}`, '--instance', 'demo1'], {})
  handleDemoRequest(options, new SettingsReader(settingsFile), 'now', { method, url } as IncomingMessage, response)
  return { status, body: JSON.parse(text || '{}') as Record<string, unknown> }
}

describe('demo server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zx-demo-unit-'))
  const good = join(dir, 'good.json')
  writeFileSync(good, '{"Message":"hi"}')
  const bad = join(dir, 'bad.json')
  writeFileSync(bad, '{"Message":')

  it('answers health and instance with settings', () => {
    expect(call('GET', '/health', good)).toEqual({ status: 200, body: { status: 'ok' } })
    const instance = call('GET', '/api/instance', good)
    expect(instance.status).toBe(200)
    expect(instance.body).toMatchObject({ instance: 'demo1', port: 8080, settings: { Message: 'hi' } })
    expect(call('GET', '/', good).body).toMatchObject({ instance: 'demo1' })
  })
  it('reports bad or missing settings, 404s and 405s without throwing', () => {
    expect(call('GET', '/', bad).body.settingsError).toMatch(/invalid settings/)
    expect(call('GET', '/', join(dir, 'missing.json')).body.settingsError).toMatch(/ENOENT/)
    expect(call('GET', '/nope', good).status).toBe(404)
    expect(call('POST', '/', good).status).toBe(405)
  })
  it('takes the port from flags, then PORT, and rejects garbage', () => {
    expect(parseDemoOptions([], { PORT: '5727' }).port).toBe(5727)
    expect(parseDemoOptions(['--port=1'], { PORT: '5727' }).port).toBe(1)
    expect(() => parseDemoOptions(['--port', 'x'], {})).toThrow(/invalid port/)
  })
})
