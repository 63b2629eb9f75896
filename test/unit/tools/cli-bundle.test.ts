// Goal: the built CLI (`npm run build` → dist/cli) loads oclif from its own bundle, not from
// node_modules/@oclif/core, and the manifest points every command at a bundled file, so a
// `zx kv get` start stays short. Method: reads dist/cli and oclif.manifest.json as the build left
// them (npm test builds first) and runs `bin/run.js version`.
import { describe, expect, it } from 'vitest'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { bundledPackage } from '../../../src/tools/cli-bundle.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const built = existsSync(join(root, 'dist', 'cli', 'entry.js'))

describe('bundledPackage', () => {
  it('bundles @oclif/core and what it imports, nothing else of ours', () => {
    expect(bundledPackage('@oclif/core', '/r/dist/commands/kv/get.js')).toBe(true)
    expect(bundledPackage('@oclif/core/lib/x.js', '/r/dist/src/base-command.js')).toBe(true)
    expect(bundledPackage('ansis', '/r/node_modules/@oclif/core/lib/ux/theme.js')).toBe(true)
    expect(bundledPackage('undici', '/r/dist/src/api/client.js')).toBe(false)
    expect(bundledPackage('dockerode', '/r/dist/src/runtime/docker.js')).toBe(false)
  })
})

describe.runIf(built)('the built CLI', () => {
  it('imports @oclif/core from no chunk, and every manifest command has its bundled file', () => {
    const chunks = readdirSync(join(root, 'dist', 'cli', 'chunks')).map((f) => readFileSync(join(root, 'dist', 'cli', 'chunks', f), 'utf8'))
    for (const text of chunks) expect(text).not.toMatch(/from\s*["']@oclif\/core/)
    const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, { relativePath: string[] }> }
    const commands = Object.values(manifest.commands)
    expect(commands.length).toBeGreaterThan(30)
    for (const c of commands) {
      expect(c.relativePath.slice(0, 3)).toEqual(['dist', 'cli', 'commands'])
      expect(existsSync(join(root, ...c.relativePath))).toBe(true)
    }
  })

  it('runs a command', async () => {
    const run = await execa(process.execPath, [join(root, 'bin', 'run.js'), 'version', '--json'], { reject: false, timeout: 20_000 })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toHaveProperty('version')
  })
})
