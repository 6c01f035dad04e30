/**
 * What a zip says it holds, read from its central directory, and whether unpacking it could
 * write outside the target folder. Pure: it works on the bytes it is given.
 */

export interface ZipEntry {
  name: string
  /** Unix mode from the external attributes, when the archive was made on Unix. */
  unixMode?: number
}

const EOCD = 0x06054b50
const ZIP64_EOCD_LOCATOR = 0x07064b50
const ZIP64_EOCD = 0x06064b50
const CENTRAL = 0x02014b50
/** The end record plus the longest comment a zip can carry. */
export const TAIL_BYTES = 22 + 0xffff + 20

export class BadArchiveError extends Error {
  constructor(reason: string) {
    super(reason)
    this.name = 'BadArchiveError'
  }
}

/**
 * Where the central directory starts and how long it is, from the file's tail (the last
 * TAIL_BYTES or fewer). `tailOffset` is the tail's offset in the file.
 */
export function centralDirectoryLocation(tail: Buffer, tailOffset: number): { offset: number; size: number; count: number } {
  for (let at = tail.length - 22; at >= 0; at--) {
    if (tail.readUInt32LE(at) !== EOCD) continue
    let count = tail.readUInt16LE(at + 10)
    let size = tail.readUInt32LE(at + 12)
    let offset = tail.readUInt32LE(at + 16)
    const locator = at - 20
    if ((count === 0xffff || size === 0xffffffff || offset === 0xffffffff) && locator >= 0 && tail.readUInt32LE(locator) === ZIP64_EOCD_LOCATOR) {
      const record = Number(tail.readBigUInt64LE(locator + 8)) - tailOffset
      if (record < 0 || tail.readUInt32LE(record) !== ZIP64_EOCD) throw new BadArchiveError('its zip64 end record is out of reach')
      count = Number(tail.readBigUInt64LE(record + 32))
      size = Number(tail.readBigUInt64LE(record + 40))
      offset = Number(tail.readBigUInt64LE(record + 48))
    }
    return { offset, size, count }
  }
  throw new BadArchiveError('it is not a zip file (no end of central directory record)')
}

export function parseCentralDirectory(directory: Buffer, count: number): ZipEntry[] {
  const entries: ZipEntry[] = []
  let at = 0
  for (let i = 0; i < count; i++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL) {
      throw new BadArchiveError('its central directory is damaged')
    }
    const madeBy = directory.readUInt8(at + 5)
    const flags = directory.readUInt16LE(at + 8)
    const nameLength = directory.readUInt16LE(at + 28)
    const extraLength = directory.readUInt16LE(at + 30)
    const commentLength = directory.readUInt16LE(at + 32)
    const external = directory.readUInt32LE(at + 38)
    const raw = directory.subarray(at + 46, at + 46 + nameLength)
    const name = raw.toString(flags & 0x800 ? 'utf8' : 'latin1')
    entries.push(madeBy === 3 ? { name, unixMode: external >>> 16 } : { name })
    at += 46 + nameLength + extraLength + commentLength
  }
  return entries
}

export function isSymlink(entry: ZipEntry): boolean {
  return entry.unixMode !== undefined && (entry.unixMode & 0o170000) === 0o120000
}

/**
 * Why an entry could land outside the folder it is unpacked into, or undefined. Names are
 * judged as both Unix and Windows would read them.
 */
export function entryProblem(entry: ZipEntry): string | undefined {
  const name = entry.name
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(name)) return 'has control characters in its name'
  if (/^([\\/]|[A-Za-z]:)/.test(name)) return 'has an absolute path'
  if (name.split(/[\\/]/).includes('..')) return 'climbs out of the folder with ".."'
  return undefined
}
