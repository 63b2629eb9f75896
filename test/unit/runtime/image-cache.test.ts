// Goal: the image cache answers "unchanged" only while every recorded input keeps its size and
// mtime, notices an edited, a missing or a new fixed input, and survives a broken cache file.
// Method: real files in a temp folder, utimes to move an mtime, ZX_HOME pointed at the folder.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fixedInputs, inputsFingerprint, readImageCache, writeImageCache } from '../../../src/image/cache.js'

let root: string
const env = () => ({ ZX_HOME: join(root, 'home') })

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'zx-imgcache-'))
  mkdirSync(join(root, 'agent'))
  mkdirSync(join(root, 'dist', 'ui', 'assets'), { recursive: true })
  writeFileSync(join(root, 'agent', 'a.ts'), 'export const a = 1\n')
  writeFileSync(join(root, 'dist', 'ui', 'index.html'), '<html>')
  writeFileSync(join(root, 'dist', 'ui', 'assets', 'app.js'), '1')
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

describe('image cache', () => {
  it('fingerprints sizes and mtimes of inputs', async () => {
    const inputs = ['agent/a.ts']
    const first = await inputsFingerprint(root, inputs, 'entry')
    expect(await inputsFingerprint(root, inputs, 'entry')).toBe(first)
    expect(await inputsFingerprint(root, inputs, 'other entry')).not.toBe(first)
    utimesSync(join(root, 'agent', 'a.ts'), new Date(), new Date(Date.now() + 5_000))
    const touched = await inputsFingerprint(root, inputs, 'entry')
    expect(touched).not.toBe(first)
    rmSync(join(root, 'agent', 'a.ts'))
    expect(await inputsFingerprint(root, inputs, 'entry')).not.toBe(touched)
  })

  it('lists the fixed inputs, UI files included', async () => {
    expect(await fixedInputs(root)).toEqual(['templates/Dockerfile', 'templates/docker-entrypoint.sh', 'package-lock.json', 'dist/ui/assets/app.js', 'dist/ui/index.html'])
  })

  it('stores entries per key and ignores a broken file', async () => {
    expect(await readImageCache('k', env())).toBeUndefined()
    await writeImageCache('k', { fingerprint: 'f', inputs: ['agent/a.ts'], hash: 'h', bundleBytes: 3 }, env())
    await writeImageCache('k2', { fingerprint: 'g', inputs: [], hash: 'i', bundleBytes: 4 }, env())
    expect(await readImageCache('k', env())).toEqual({ fingerprint: 'f', inputs: ['agent/a.ts'], hash: 'h', bundleBytes: 3 })
    writeFileSync(join(root, 'home', 'image-cache.json'), '{broken')
    expect(await readImageCache('k', env())).toBeUndefined()
    await writeImageCache('k', { fingerprint: 'f2', inputs: [], hash: 'h2', bundleBytes: 1 }, env())
    expect((await readImageCache('k', env()))?.hash).toBe('h2')
  })
})
