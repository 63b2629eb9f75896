/**
 * src/image/base-rootfs.ts: the pure plan of the offline base image's root filesystem. Given the
 * host's node binary and the shared libraries `ldd` reports for it, it lists every directory,
 * file and small config file the image holds. Libraries keep the exact paths ldd printed, which
 * are the paths the dynamic loader searches, so no ld.so.cache is needed.
 */
import type { TarEntry } from './base-tar.js'

/** baseUser is the non-root account of the image (uid/gid 1000, like the official node image). */
export const baseUser = { name: 'node', uid: 1000, gid: 1000, home: '/home/node' } as const

/** parseLdd extracts the library paths (loader included, vDSO excluded) from `ldd` output. */
export function parseLdd(output: string): string[] {
  const paths: string[] = []
  for (const raw of output.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.includes('statically linked') || line.includes('not a dynamic executable')) continue
    if (line.includes('=> not found')) throw new Error(`ldd: missing library: ${line.split(' ')[0]}`)
    const arrow = /=>\s*(\/\S+)/.exec(line)
    if (arrow) { paths.push(arrow[1]!); continue }
    const bare = /^(\/\S+)\s+\(0x[0-9a-f]+\)$/.exec(line)
    if (bare) paths.push(bare[1]!)
    // Anything else (linux-vdso, linux-gate) lives in the kernel, not on disk.
  }
  return [...new Set(paths)]
}

/** RootfsInput is what the plan needs from the host. */
export interface RootfsInput {
  nodeBinary: string
  libraries: readonly string[]
  caBundle?: string
}

/** planRootfs lists the tar entries of the base image's root filesystem, parents before children. */
export function planRootfs(input: RootfsInput): TarEntry[] {
  const entries: TarEntry[] = []
  const dirs = new Set<string>()
  const addDir = (path: string, mode = 0o755, owner?: { uid: number; gid: number }): void => {
    const parts = path.split('/').filter((part) => part !== '')
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join('/')
      if (dirs.has(dir)) continue
      dirs.add(dir)
      const last = i === parts.length
      entries.push({ kind: 'dir', path: dir, mode: last ? mode : 0o755, uid: last ? owner?.uid : undefined, gid: last ? owner?.gid : undefined })
    }
  }
  const parentOf = (path: string): string => path.slice(0, path.lastIndexOf('/'))
  for (const dir of ['bin', 'usr/bin', 'usr/local/bin', 'etc', 'var/tmp', 'app']) addDir(dir)
  addDir('tmp', 0o1777)
  addDir(baseUser.home, 0o755, baseUser)
  entries.push({ kind: 'file', path: 'usr/local/bin/node', mode: 0o755, source: input.nodeBinary })
  entries.push({ kind: 'symlink', path: 'usr/bin/node', target: '/usr/local/bin/node' })
  for (const library of input.libraries) {
    addDir(parentOf(library))
    entries.push({ kind: 'file', path: library.replace(/^\/+/, ''), mode: 0o755, source: library })
  }
  if (input.caBundle !== undefined) {
    addDir('etc/ssl/certs')
    entries.push({ kind: 'file', path: 'etc/ssl/certs/ca-certificates.crt', mode: 0o644, source: input.caBundle })
  }
  for (const [path, text] of Object.entries(etcFiles())) {
    entries.push({ kind: 'data', path, mode: 0o644, data: Buffer.from(text) })
  }
  return entries
}

function etcFiles(): Record<string, string> {
  const { name, uid, gid, home } = baseUser
  return {
    'etc/passwd': `root:x:0:0:root:/root:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n${name}:x:${uid}:${gid}:${name}:${home}:/bin/false\n`,
    'etc/group': `root:x:0:\nnogroup:x:65534:\n${name}:x:${gid}:\n`,
    // getaddrinfo (dns.lookup) consults this; glibc ≥2.34 has files+dns inside libc itself.
    'etc/nsswitch.conf': 'passwd: files\ngroup: files\nhosts: files dns\n',
  }
}
