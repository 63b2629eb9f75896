// Goal: the offline base image built from the host's node runs JavaScript, resolves localhost,
// has a non-root `node` user and a writable /tmp, and a second call reuses the tag.
// Method: ensureBaseImage against the real engine, then run short-lived containers from it.
import Docker from 'dockerode'
import { describe, expect, it } from 'vitest'
import { baseImageTag, ensureBaseImage } from '../../../src/image/base.js'
import { runToCompletion } from './docker-helpers.js'

const docker = new Docker()

describe('ensureBaseImage', () => {
  it('imports a working node image and reuses it', async () => {
    const lines: string[] = []
    const tag = await ensureBaseImage(docker, { log: (line) => lines.push(line) })
    expect(tag).toBe(baseImageTag())
    const script = [
      "const os = require('node:os'); const fs = require('node:fs'); const dns = require('node:dns')",
      "fs.writeFileSync('/tmp/probe', 'ok')",
      "dns.lookup('localhost', (err, address) => console.log(JSON.stringify({ version: process.version, user: os.userInfo().username, tmp: fs.readFileSync('/tmp/probe', 'utf8'), err: err && err.code, address })))",
    ].join(';')
    const { exitCode, output } = await runToCompletion(docker, tag, ['node', '-e', script], { User: 'node' })
    expect(exitCode).toBe(0)
    const result = JSON.parse(output.trim().split('\n').pop()!)
    expect(result).toMatchObject({ version: process.version, user: 'node', tmp: 'ok', err: null })
    const again: string[] = []
    await ensureBaseImage(docker, { log: (line) => again.push(line) })
    expect(again).toEqual([`base image ${tag} present`])
  })
})
