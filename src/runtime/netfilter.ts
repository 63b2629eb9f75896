/**
 * src/runtime/netfilter.ts: one-link partitions for containers. `chaos partition nodeA --from
 * nodeB` drops every packet between A and B, both directions, with two iptables rules inside
 * A's network namespace (entered with nsenter through A's init pid): INPUT from B's address
 * and OUTPUT to it. Every other link of A stays up. The rules carry a comment naming the
 * link, so heal deletes exactly what partition added. The cut links are also recorded in
 * the cluster folder (links.json) so status and heal know them without asking every netns.
 */
import { execFile } from 'node:child_process'
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { LabError } from '../errors.js'

const run = promisify(execFile)

/** CutLink is one partitioned pair: `node` holds the rules, `peerAddress` is `from`'s address. */
export interface CutLink {
  node: string
  from: string
  peerAddress: string
}

/** linkRules are the iptables argument lists (after -I/-D CHAIN) that cut one link. */
export function linkRules(link: CutLink): Array<{ chain: 'INPUT' | 'OUTPUT'; spec: string[] }> {
  const comment = ['-m', 'comment', '--comment', `zx-partition:${link.node}:${link.from}`]
  return [
    { chain: 'INPUT', spec: ['-s', link.peerAddress, ...comment, '-j', 'DROP'] },
    { chain: 'OUTPUT', spec: ['-d', link.peerAddress, ...comment, '-j', 'DROP'] },
  ]
}

/** applyLink inserts the rules in the namespace of pid (the node's container init). */
export async function applyLink(pid: number, link: CutLink): Promise<void> {
  for (const rule of linkRules(link)) await iptables(pid, ['-I', rule.chain, ...rule.spec])
}

/** removeLink deletes the rules; a rule already gone (container restarted) is fine. */
export async function removeLink(pid: number, link: CutLink): Promise<void> {
  for (const rule of linkRules(link)) {
    // -C checks first so a missing rule is not an error; -D removes one copy per call.
    for (let i = 0; i < 4 && (await iptables(pid, ['-C', rule.chain, ...rule.spec]).then(() => true, () => false)); i++) {
      await iptables(pid, ['-D', rule.chain, ...rule.spec])
    }
  }
}

async function iptables(pid: number, args: string[]): Promise<void> {
  try {
    await run('nsenter', ['-t', String(pid), '-n', 'iptables', '-w', '5', ...args], { timeout: 10_000 })
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim()
    throw new LabError('ZX_ERR_RUNTIME', `iptables ${args.slice(0, 2).join(' ')} in pid ${pid}'s network namespace failed: ${stderr || (error as Error).message} (needs root, nsenter and iptables on the Docker host)`, { cause: error })
  }
}

/** readLinks returns the recorded cut links of a cluster folder (none when absent or broken). */
export async function readLinks(dir: string): Promise<CutLink[]> {
  try {
    const value = JSON.parse(await readFile(join(dir, 'links.json'), 'utf8')) as unknown
    return Array.isArray(value) ? value.filter(isLink) : []
  } catch {
    return []
  }
}

/** writeLinks records the cut links (temp file, then rename). */
export async function writeLinks(dir: string, links: CutLink[]): Promise<void> {
  await mkdir(dir, { recursive: true })
  const temp = join(dir, `links.json.${process.pid}.tmp`)
  await writeFile(temp, JSON.stringify(links) + '\n')
  await rename(temp, join(dir, 'links.json'))
}

function isLink(value: unknown): value is CutLink {
  const v = value as Partial<CutLink> | null
  return typeof v?.node === 'string' && typeof v.from === 'string' && typeof v.peerAddress === 'string'
}
