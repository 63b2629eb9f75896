/**
 * src/runtime/netfilter.ts: one-link partitions. For containers, `chaos partition nodeA --from
 * nodeB` drops every packet between A and B, both directions, with two iptables rules inside
 * A's network namespace (entered with nsenter through A's init pid): INPUT from B's address
 * and OUTPUT to it. Every other link of A stays up. The rules carry a comment naming the
 * link, so heal deletes exactly what partition added. The cut links are also recorded in
 * the cluster folder (links.json) so status and heal know them without asking every netns.
 * Local processes (the process runtime) share the host's network namespace but each binds its
 * own loopback address, so there a cut link is two host INPUT rules, one per direction, that
 * match exactly the pair of addresses (loopback traffic passes INPUT like any other).
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
  /** nodeAddress is set for host rules (process runtime): the node's own loopback address. */
  nodeAddress?: string
  /** cluster names the cluster in a host rule's comment (host rules of all clusters share INPUT). */
  cluster?: string
}

/** linkRules are the iptables argument lists (after -I/-D CHAIN) that cut one link. */
export function linkRules(link: CutLink): Array<{ chain: 'INPUT' | 'OUTPUT'; spec: string[] }> {
  const comment = ['-m', 'comment', '--comment', `zx-partition:${link.node}:${link.from}`]
  return [
    { chain: 'INPUT', spec: ['-s', link.peerAddress, ...comment, '-j', 'DROP'] },
    { chain: 'OUTPUT', spec: ['-d', link.peerAddress, ...comment, '-j', 'DROP'] },
  ]
}

/** hostLinkRules are the host INPUT rules that cut one link between two local addresses. */
export function hostLinkRules(link: CutLink & { nodeAddress: string }): Array<{ chain: 'INPUT'; spec: string[] }> {
  const comment = ['-m', 'comment', '--comment', `zx-partition:${link.cluster ?? ''}:${link.node}:${link.from}`]
  return [
    { chain: 'INPUT', spec: ['-s', link.peerAddress, '-d', link.nodeAddress, ...comment, '-j', 'DROP'] },
    { chain: 'INPUT', spec: ['-s', link.nodeAddress, '-d', link.peerAddress, ...comment, '-j', 'DROP'] },
  ]
}

/** applyLink inserts the rules in the namespace of pid (the node's container init), or on the host (pid undefined). */
export async function applyLink(pid: number | undefined, link: CutLink): Promise<void> {
  for (const rule of rulesOf(pid, link)) await iptables(pid, ['-I', rule.chain, ...rule.spec])
}

/** removeLink deletes the rules; a rule already gone (container restarted) is fine. */
export async function removeLink(pid: number | undefined, link: CutLink): Promise<void> {
  for (const rule of rulesOf(pid, link)) {
    // -C checks first so a missing rule is not an error; -D removes one copy per call.
    for (let i = 0; i < 4 && (await iptables(pid, ['-C', rule.chain, ...rule.spec]).then(() => true, () => false)); i++) {
      await iptables(pid, ['-D', rule.chain, ...rule.spec])
    }
  }
}

/** hostIptablesUnusable says why host rules cannot be used here, or undefined when they can. */
export async function hostIptablesUnusable(): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'iptables exists only on Linux'
  if (process.getuid?.() !== 0) return 'iptables needs root'
  try {
    await run('iptables', ['-w', '5', '-S', 'INPUT'], { timeout: 10_000 })
    return undefined
  } catch (error) {
    return `iptables does not work here (${String((error as { stderr?: string }).stderr ?? (error as Error).message).trim()})`
  }
}

/**
 * sweepHostRules deletes every host INPUT rule a cluster's partitions left behind, recorded or
 * not (a links.json lost with a deleted folder must not leave two nodes cut off for good).
 * Returns how many went; 0 where host iptables cannot be used.
 */
export async function sweepHostRules(cluster: string): Promise<number> {
  if ((await hostIptablesUnusable()) !== undefined) return 0
  const { stdout } = await run('iptables', ['-w', '5', '-S', 'INPUT'], { timeout: 10_000 })
  let removed = 0
  for (const line of stdout.split('\n')) {
    const words = line.trim().split(/\s+/).map((w) => w.replace(/^"(.*)"$/, '$1'))
    if (words[0] !== '-A' || !words.some((w) => w.startsWith(`zx-partition:${cluster}:`))) continue
    await iptables(undefined, ['-D', ...words.slice(1)])
    removed += 1
  }
  return removed
}

function rulesOf(pid: number | undefined, link: CutLink): Array<{ chain: 'INPUT' | 'OUTPUT'; spec: string[] }> {
  if (pid !== undefined) return linkRules(link)
  if (link.nodeAddress === undefined) throw new LabError('ZX_ERR_RUNTIME', `link ${link.node}–${link.from} has no node address for a host rule`)
  return hostLinkRules({ ...link, nodeAddress: link.nodeAddress })
}

async function iptables(pid: number | undefined, args: string[]): Promise<void> {
  const [command, argv] = pid === undefined ? ['iptables', ['-w', '5', ...args]] : ['nsenter', ['-t', String(pid), '-n', 'iptables', '-w', '5', ...args]]
  try {
    await run(command, argv, { timeout: 10_000 })
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim()
    const where = pid === undefined ? 'on the host' : `in pid ${pid}'s network namespace`
    throw new LabError('ZX_ERR_RUNTIME', `iptables ${args.slice(0, 2).join(' ')} ${where} failed: ${stderr || (error as Error).message} (needs root${pid === undefined ? '' : ', nsenter'} and iptables${pid === undefined ? '' : ' on the Docker host'})`, { cause: error })
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
  return typeof v?.node === 'string' && typeof v.from === 'string' && typeof v.peerAddress === 'string' &&
    (v.nodeAddress === undefined || typeof v.nodeAddress === 'string') && (v.cluster === undefined || typeof v.cluster === 'string')
}
