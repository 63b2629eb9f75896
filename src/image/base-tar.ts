/**
 * src/image/base-tar.ts: a streaming writer for POSIX ustar archives, enough to hand a root
 * filesystem to `docker import` without a staging copy or a tar binary. Each entry is a 512-byte
 * header followed by its data padded to 512 bytes; the archive ends with two zero blocks. File
 * data is streamed from the host path, so a 100 MB node binary is never held in memory.
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { Readable } from 'node:stream'

const blockBytes = 512

/** TarEntry is one member of the archive: a directory, a host file copied in, inline bytes or a symlink. */
export type TarEntry =
  | { kind: 'dir'; path: string; mode: number; uid?: number; gid?: number }
  | { kind: 'file'; path: string; mode: number; source: string }
  | { kind: 'data'; path: string; mode: number; data: Uint8Array }
  | { kind: 'symlink'; path: string; target: string }

/** tarHeader builds the 512-byte ustar header of one member (exported for tests). */
export function tarHeader(fields: { path: string; mode: number; size: number; type: '0' | '2' | '5'; linkname?: string; uid?: number; gid?: number }): Buffer {
  const header = Buffer.alloc(blockBytes)
  const { name, prefix } = splitName(fields.path)
  header.write(name, 0, 100, 'utf8')
  writeOctal(header, 100, 8, fields.mode & 0o7777)
  writeOctal(header, 108, 8, fields.uid ?? 0)
  writeOctal(header, 116, 8, fields.gid ?? 0)
  writeOctal(header, 124, 12, fields.size)
  writeOctal(header, 136, 12, 0) // a fixed mtime keeps imports reproducible
  header.write(' '.repeat(8), 148, 8, 'ascii')
  header.write(fields.type, 156, 1, 'ascii')
  header.write(fields.linkname ?? '', 157, 100, 'utf8')
  header.write('ustar\0', 257, 6, 'ascii')
  header.write('00', 263, 2, 'ascii')
  header.write('root', 265, 32, 'ascii')
  header.write('root', 297, 32, 'ascii')
  header.write(prefix, 345, 155, 'utf8')
  let sum = 0
  for (const byte of header) sum += byte
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii')
  return header
}

/** tarStream turns a list of entries into a readable ustar archive. */
export function tarStream(entries: readonly TarEntry[]): Readable {
  return Readable.from(generate(entries), { objectMode: false })
}

async function* generate(entries: readonly TarEntry[]): AsyncGenerator<Buffer> {
  for (const entry of entries) yield* generateEntry(entry)
  yield Buffer.alloc(blockBytes * 2)
}

async function* generateEntry(entry: TarEntry): AsyncGenerator<Buffer> {
  switch (entry.kind) {
    case 'dir':
      yield tarHeader({ path: entry.path.endsWith('/') ? entry.path : `${entry.path}/`, mode: entry.mode, size: 0, type: '5', uid: entry.uid, gid: entry.gid })
      return
    case 'symlink':
      yield tarHeader({ path: entry.path, mode: 0o777, size: 0, type: '2', linkname: entry.target })
      return
    case 'data':
      yield tarHeader({ path: entry.path, mode: entry.mode, size: entry.data.length, type: '0' })
      yield Buffer.from(entry.data)
      yield padding(entry.data.length)
      return
    case 'file': {
      const size = (await stat(entry.source)).size
      yield tarHeader({ path: entry.path, mode: entry.mode, size, type: '0' })
      let written = 0
      for await (const chunk of createReadStream(entry.source)) {
        const buffer = chunk as Buffer
        // A file that grows while we read would corrupt the archive: stop at the header's size.
        const slice = buffer.subarray(0, Math.max(0, size - written))
        written += slice.length
        if (slice.length > 0) yield slice
      }
      if (written !== size) throw new Error(`tar: ${entry.source} shrank while archiving (${written} of ${size} bytes)`)
      yield padding(size)
      return
    }
    default: {
      const never: never = entry
      throw new Error(`tar: unknown entry ${JSON.stringify(never)}`)
    }
  }
}

function padding(size: number): Buffer {
  const rest = size % blockBytes
  return Buffer.alloc(rest === 0 ? 0 : blockBytes - rest)
}

function splitName(path: string): { name: string; prefix: string } {
  const clean = path.replace(/^\/+/, '')
  if (Buffer.byteLength(clean) <= 100) return { name: clean, prefix: '' }
  const cut = clean.lastIndexOf('/', 154)
  if (cut <= 0 || Buffer.byteLength(clean.slice(cut + 1)) > 100) throw new Error(`tar: path too long for ustar: ${path}`)
  return { name: clean.slice(cut + 1), prefix: clean.slice(0, cut) }
}

function writeOctal(header: Buffer, offset: number, width: number, value: number): void {
  const digits = value.toString(8)
  if (digits.length > width - 1) throw new Error(`tar: value ${value} does not fit ${width} bytes`)
  header.write(digits.padStart(width - 1, '0') + '\0', offset, width, 'ascii')
}
