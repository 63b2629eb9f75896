/**
 * src/tools/oclif-manifest.ts: writes oclif.manifest.json next to package.json. Without it oclif
 * imports every command module (the agent included) on each `zx` start to learn the command
 * list, which costs ~1 s of CPU per invocation; with it only the command being run is loaded.
 * Run after `tsc` and the CLI bundle (node dist/src/tools/oclif-manifest.js); the file must be regenerated
 * whenever commands change, so it belongs to the build, never to git.
 */
import type { Config as OclifConfig } from '@oclif/core'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { packageRoot } from '../runtime/entry.js'

/** writeOclifManifest generates the manifest for the package at root; returns the command count. */
export async function writeOclifManifest(root = packageRoot()): Promise<number> {
  // The bundled copy of oclif (dist/cli, built just before) is the one whose Command the
  // bundled commands extend.
  const { Config } = (await import(pathToFileURL(join(root, 'dist', 'cli', 'entry.js')).href)) as { Config: typeof OclifConfig }
  // oclif reads an existing manifest instead of the commands; a stale one must not survive.
  rmSync(join(root, 'oclif.manifest.json'), { force: true })
  const config = await Config.load({ root })
  const plugin = config.plugins.get(config.pjson.name)
  if (plugin === undefined) throw new Error(`oclif did not load the ${config.pjson.name} plugin from ${root}`)
  const manifest = (plugin as unknown as { manifest: { commands: Record<string, unknown> } }).manifest
  writeFileSync(join(root, 'oclif.manifest.json'), JSON.stringify(manifest))
  return Object.keys(manifest.commands).length
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\/dist\//, '/dist/'))) {
  const count = await writeOclifManifest()
  process.stdout.write(`oclif.manifest.json: ${count} commands\n`)
}
