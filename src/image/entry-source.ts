/**
 * src/image/entry-source.ts: the source of the image's bundle entry, handed to esbuild as stdin
 * (so no file outside src/ imports the agent). It does the official consul image's entrypoint
 * work in JS, because the offline base image has no shell: CONSUL_LOCAL_CONFIG is written to
 * <config dir>/local.json, bare flags mean `agent`, and `agent` gets the data and config dirs.
 * ZX_ENTRY_DONE marks argv already prepared by docker-entrypoint.sh.
 */

/** bundleEntrySource is the JS module esbuild bundles with agent/main.ts. */
export function bundleEntrySource(): string {
  return `
import { writeFileSync } from 'node:fs'
import { runAgent } from './agent/main.ts'

const dataDir = process.env.CONSUL_DATA_DIR || '/consul/data'
const configDir = process.env.CONSUL_CONFIG_DIR || '/consul/config'
let argv = process.argv.slice(2)
if (argv.length > 0 && argv[0].startsWith('-')) argv = ['agent', ...argv]
if (argv[0] === 'agent' && !argv.includes('-dev')) {
  if (process.env.CONSUL_LOCAL_CONFIG) writeFileSync(configDir + '/local.json', process.env.CONSUL_LOCAL_CONFIG + '\\n')
  if (!argv.some((a) => a.startsWith('-data-dir'))) argv = ['agent', '-data-dir=' + dataDir, '-config-dir=' + configDir, ...argv.slice(1)]
}
if (argv[0] !== 'agent') {
  process.stderr.write('zx image: only the agent command is available in this image\\n')
  process.exit(1)
}
const code = await runAgent(argv.slice(1))
process.exit(code)
`
}
