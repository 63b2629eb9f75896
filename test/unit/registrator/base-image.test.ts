// Goal: the offline base image plan is right without a Docker engine: ldd output parses into the
// loader + library paths, the rootfs has the user files and sticky /tmp, and the tar writer emits
// headers GNU tar accepts (checksum, octal fields, long paths split into prefix).
// Method: parse recorded ldd output; plan a rootfs; read headers back field by field.
import { describe, expect, it } from 'vitest'
import { parseLdd, planRootfs } from '../../../src/image/base-rootfs.js'
import { tarHeader, tarStream } from '../../../src/image/base-tar.js'

const lddDebian = `\tlinux-vdso.so.1 (0x00007ffd5a7f2000)
\tlibdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2 (0x00007f3efe86f000)
\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f3efe600000)
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f3efe33e000)
\t/lib64/ld-linux-x86-64.so.2 (0x00007f3efe888000)
`

describe('parseLdd', () => {
  it('keeps libraries and the loader, drops the vDSO', () => {
    expect(parseLdd(lddDebian)).toEqual([
      '/lib/x86_64-linux-gnu/libdl.so.2', '/lib/x86_64-linux-gnu/libstdc++.so.6',
      '/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2',
    ])
  })
  it('fails loudly on a missing library and accepts static binaries', () => {
    expect(() => parseLdd('\tlibfoo.so.1 => not found\n')).toThrow(/missing library: libfoo/)
    expect(parseLdd('\tnot a dynamic executable\n')).toEqual([])
  })
})

describe('planRootfs', () => {
  it('lists parents before children, a sticky /tmp and the node user', () => {
    const entries = planRootfs({ nodeBinary: '/usr/bin/node', libraries: parseLdd(lddDebian), caBundle: '/etc/ssl/certs/ca-certificates.crt' })
    const paths = entries.map((entry) => entry.path)
    expect(paths.indexOf('lib64')).toBeLessThan(paths.indexOf('lib64/ld-linux-x86-64.so.2'))
    expect(entries.find((entry) => entry.path === 'tmp')).toMatchObject({ kind: 'dir', mode: 0o1777 })
    expect(entries.find((entry) => entry.path === 'home/node')).toMatchObject({ uid: 1000, gid: 1000 })
    const passwd = entries.find((entry) => entry.path === 'etc/passwd')
    expect(passwd?.kind === 'data' && Buffer.from(passwd.data).toString()).toContain('node:x:1000:1000')
    expect(paths).toContain('usr/local/bin/node')
    expect(paths).toContain('etc/ssl/certs/ca-certificates.crt')
    expect(new Set(paths).size).toBe(paths.length)
  })
})

describe('tar writer', () => {
  it('writes a valid checksum and octal fields', () => {
    const header = tarHeader({ path: 'etc/passwd', mode: 0o644, size: 1234, type: '0' })
    expect(header.length).toBe(512)
    expect(header.toString('ascii', 0, 10)).toBe('etc/passwd')
    expect(header.toString('ascii', 124, 135)).toBe((1234).toString(8).padStart(11, '0'))
    const stored = parseInt(header.toString('ascii', 148, 154), 8)
    const copy = Buffer.from(header)
    copy.write(' '.repeat(8), 148, 8, 'ascii')
    expect(stored).toBe(copy.reduce((sum, byte) => sum + byte, 0))
    expect(header.toString('ascii', 257, 262)).toBe('ustar')
  })
  it('splits a long path into prefix and name', () => {
    const long = `${'d'.repeat(120)}/file`
    const header = tarHeader({ path: long, mode: 0o644, size: 0, type: '0' })
    expect(header.toString('ascii', 0, 4)).toBe('file')
    expect(header.toString('ascii', 345, 345 + 120)).toBe('d'.repeat(120))
  })
  it('pads data to 512 bytes and ends with two zero blocks', async () => {
    const chunks: Buffer[] = []
    for await (const chunk of tarStream([{ kind: 'data', path: 'a', mode: 0o644, data: Buffer.from('hello') }])) chunks.push(chunk as Buffer)
    const archive = Buffer.concat(chunks)
    expect(archive.length).toBe(512 + 512 + 1024)
    expect(archive.toString('ascii', 512, 517)).toBe('hello')
  })
})
