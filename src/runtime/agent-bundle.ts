/**
 * src/runtime/agent-bundle.ts: the process runtime's agent as one esbuild bundle. Loading the
 * agent from dist/ means resolving a few hundred modules (~0.45 s of CPU per node); the same
 * code as one file loads in ~0.2 s, and `cluster up` starts four nodes at once on the same
 * cores. The bundle is kept under node_modules/.cache/zx (so its few external packages still
 * resolve) and reused while none of its inputs changed (same stat fingerprint as the image
 * cache); a failed bundle falls back to bin/agent.js.
 */
import { access, mkdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { inputsFingerprint, readImageCache, writeImageCache } from '../image/cache.js'

/** processEntrySource is the bundle entry: plain `zx agent` argv, nothing image-specific. */
export function processEntrySource(): string {
  return `
import { runAgent } from './agent/main.ts'
const argv = process.argv.slice(2)
process.exit(await runAgent(argv[0] === 'agent' ? argv.slice(1) : argv))
`
}

/** agentBundlePath returns a current bundle of the agent (building it if needed), or undefined. */
export async function agentBundlePath(root: string, log: (line: string) => void = () => {}): Promise<string | undefined> {
  const key = `${root}|process-agent`
  const dir = join(root, 'node_modules', '.cache', 'zx')
  const fixed = ['package-lock.json']
  const cached = await readImageCache(key)
  if (cached !== undefined && cached.fingerprint === (await inputsFingerprint(root, [...cached.inputs, ...fixed], processEntrySource()))) {
    const file = join(dir, `agent-${cached.hash}.mjs`)
    if (await access(file).then(() => true, () => false)) return file
  }
  try {
    const { bundleAgentWithInputs } = await import('../image/build.js')
    const { text, inputs } = await bundleAgentWithInputs(root, processEntrySource())
    const fingerprint = await inputsFingerprint(root, [...inputs, ...fixed], processEntrySource())
    const hash = fingerprint.slice(0, 16)
    const file = join(dir, `agent-${hash}.mjs`)
    await mkdir(dir, { recursive: true })
    await writeFile(`${file}.${process.pid}.tmp`, text)
    await rename(`${file}.${process.pid}.tmp`, file)
    await writeImageCache(key, { fingerprint, inputs, hash, bundleBytes: text.length })
    return file
  } catch (error) {
    log(`could not bundle the agent (${(error as Error).message}); starting it from dist/ instead`)
    return undefined
  }
}
