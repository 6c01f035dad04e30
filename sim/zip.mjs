// @ts-check
/**
 * A small zip writer for the simulator and the tests: enough to make real exports the action
 * keeps, verifies and unpacks (stored or deflated entries, zip64 end records), and the broken and
 * hostile ones the tests need (a wrong CRC, another compression method, links, bad names). And a
 * small reader, for the simulator to know what a configured export holds.
 */
import { randomFillSync } from 'node:crypto'
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib'

/**
 * @typedef {object} ZipEntry
 * @property {string} name
 * @property {Buffer | string} [data]
 * @property {string} [symlinkTo]   makes the entry a symbolic link (Unix mode in the external attributes)
 * @property {'store' | 'deflate'} [method]   default: the archive's
 * @property {number} [methodNumber]  write this compression method number instead (data stored as is)
 * @property {number} [crc]         write this CRC-32 instead of the right one (a damaged entry)
 */

/**
 * @param {ZipEntry[]} entries
 * @param {{ method?: 'store' | 'deflate', zip64?: boolean }} [options]
 *   zip64: end the archive with zip64 end records (as writers do past 65,535 entries or 4 GiB)
 */
export function makeZip(entries, options = {}) {
  /** @type {Buffer[]} */
  const locals = []
  /** @type {Buffer[]} */
  const centrals = []
  let offset = 0
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8')
    const data = Buffer.from(entry.symlinkTo ?? entry.data ?? '')
    const deflate = entry.methodNumber === undefined && (entry.method ?? options.method ?? 'store') === 'deflate'
    const stored = deflate ? deflateRawSync(data) : data
    const method = entry.methodNumber ?? (deflate ? 8 : 0)
    const crc = entry.crc ?? crc32(data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4) // version needed
    local.writeUInt16LE(0x0800, 6) // UTF-8 names
    local.writeUInt16LE(method, 8)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(stored.length, 18)
    local.writeUInt32LE(data.length, 22)
    local.writeUInt16LE(name.length, 26)
    locals.push(local, name, stored)

    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(0x031e, 4) // made by: Unix, spec 3.0
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(method, 10)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(stored.length, 20)
    central.writeUInt32LE(data.length, 24)
    central.writeUInt16LE(name.length, 28)
    const mode = entry.symlinkTo !== undefined ? 0o120777 : 0o100644
    central.writeUInt32LE((mode << 16) >>> 0, 38)
    central.writeUInt32LE(offset, 42)
    centrals.push(central, name)
    offset += local.length + name.length + stored.length
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0)
  /** @type {Buffer[]} */
  const tail = []
  if (options.zip64) {
    const record = Buffer.alloc(56)
    record.writeUInt32LE(0x06064b50, 0)
    record.writeBigUInt64LE(44n, 4) // size of the rest of the record
    record.writeUInt16LE(45, 12) // made by
    record.writeUInt16LE(45, 14) // needed
    record.writeBigUInt64LE(BigInt(entries.length), 24)
    record.writeBigUInt64LE(BigInt(entries.length), 32)
    record.writeBigUInt64LE(BigInt(centralSize), 40)
    record.writeBigUInt64LE(BigInt(offset), 48)
    const locator = Buffer.alloc(20)
    locator.writeUInt32LE(0x07064b50, 0)
    locator.writeBigUInt64LE(BigInt(offset + centralSize), 8)
    locator.writeUInt32LE(1, 16) // disks
    tail.push(record, locator)
  }
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(options.zip64 ? 0xffff : entries.length, 8)
  end.writeUInt16LE(options.zip64 ? 0xffff : entries.length, 10)
  end.writeUInt32LE(options.zip64 ? 0xffffffff : centralSize, 12)
  end.writeUInt32LE(options.zip64 ? 0xffffffff : offset, 16)
  return Buffer.concat([...locals, ...centrals, ...tail, end])
}

/**
 * The files of a zip this module writes (or one alike: stored or deflated entries, sizes in the
 * central directory, zip64 end records), by name. Throws on anything else, or on a wrong CRC.
 * @param {Buffer} zip
 * @returns {Record<string, Buffer>}
 */
export function readZip(zip) {
  const endAt = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (endAt < 0 || endAt + 22 > zip.length) throw new Error('not a zip: no end of central directory record')
  let count = zip.readUInt16LE(endAt + 10)
  let directoryAt = zip.readUInt32LE(endAt + 16)
  if (count === 0xffff || directoryAt === 0xffffffff) {
    const locatorAt = endAt - 20
    if (locatorAt < 0 || zip.readUInt32LE(locatorAt) !== 0x07064b50) throw new Error('not a zip: no zip64 end record locator')
    const recordAt = Number(zip.readBigUInt64LE(locatorAt + 8))
    if (zip.readUInt32LE(recordAt) !== 0x06064b50) throw new Error('not a zip: no zip64 end record')
    count = Number(zip.readBigUInt64LE(recordAt + 32))
    directoryAt = Number(zip.readBigUInt64LE(recordAt + 48))
  }
  /** @type {Record<string, Buffer>} */
  const files = {}
  for (let at = directoryAt, i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('not a zip: a damaged central directory')
    const method = zip.readUInt16LE(at + 10)
    const crc = zip.readUInt32LE(at + 16)
    const storedSize = zip.readUInt32LE(at + 20)
    const nameLength = zip.readUInt16LE(at + 28)
    const extraLength = zip.readUInt16LE(at + 30)
    const commentLength = zip.readUInt16LE(at + 32)
    const localAt = zip.readUInt32LE(at + 42)
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8')
    const dataAt = localAt + 30 + zip.readUInt16LE(localAt + 26) + zip.readUInt16LE(localAt + 28)
    const stored = zip.subarray(dataAt, dataAt + storedSize)
    if (method !== 0 && method !== 8) throw new Error(`${name}: compression method ${method}`)
    const data = method === 8 ? inflateRawSync(stored) : Buffer.from(stored)
    if (crc32(data) !== crc) throw new Error(`${name}: fails its CRC check`)
    files[name] = data
    at += 46 + nameLength + extraLength + commentLength
  }
  return files
}

/** The three definitions of a tool export, as the platform writes them (compact JSON). */
export function toolDefinitions(toolName = 'Banking Assistant', version = 1) {
  return [
    { name: 'flow_definition.json', data: JSON.stringify({ name: toolName, version, nodes: ['start', 'answer'] }) },
    { name: 'app_definition.json', data: JSON.stringify({ name: toolName, type: 'tool' }) },
    { name: 'env_variables.json', data: JSON.stringify([{ key: 'REGION', value: 'eu' }]) }
  ]
}

/** A tool export as the platform makes it: the three definition files, deflated. */
export function makeToolExport(toolName = 'Banking Assistant', version = 1) {
  return makeZip(toolDefinitions(toolName, version), { method: 'deflate' })
}

/**
 * Writes a tool export of about `bytes` to disk without holding it in memory, for the benchmark:
 * its flow definition is a long JSON array of AI nodes with 1 KiB prompts, stored, with its CRC
 * and sizes in a data descriptor after the data (as streaming zip writers do).
 * @param {string} filePath @param {number} bytes
 */
export async function writeLargeToolExport(filePath, bytes) {
  const out = createWriteStream(filePath)
  let offset = 0
  const write = async (/** @type {Buffer} */ data) => {
    offset += data.length
    if (!out.write(data)) await once(out, 'drain')
  }
  const name = Buffer.from('flow_definition.json')
  const local = Buffer.alloc(30)
  local.writeUInt32LE(0x04034b50, 0)
  local.writeUInt16LE(20, 4)
  local.writeUInt16LE(0x0808, 6) // UTF-8 names, sizes in a data descriptor
  local.writeUInt16LE(name.length, 26)
  await write(Buffer.concat([local, name]))

  let crc = 0
  let size = 0
  const add = async (/** @type {Buffer} */ data) => {
    crc = crc32(data, crc)
    size += data.length
    await write(data)
  }
  await add(Buffer.from('{"name":"Big Tool","nodes":['))
  const prompt = Buffer.alloc(768)
  const nodes = []
  for (let id = 0; size < bytes - 4096; id++) {
    randomFillSync(prompt)
    nodes.push(`{"id":${id},"type":"ai","prompt":"${prompt.toString('base64')}","temperature":0.7},`)
    if (nodes.length === 1024) await add(Buffer.from(nodes.splice(0).join('')))
  }
  await add(Buffer.from(`${nodes.join('')}{"id":"end"}]}`))

  const descriptor = Buffer.alloc(16)
  descriptor.writeUInt32LE(0x08074b50, 0)
  descriptor.writeUInt32LE(crc >>> 0, 4)
  descriptor.writeUInt32LE(size, 8)
  descriptor.writeUInt32LE(size, 12)
  await write(descriptor)

  // The small definitions follow as makeZip writes them, their offsets moved by what came before.
  const rest = makeZip(toolDefinitions('Big Tool').slice(1))
  const restStart = offset
  const restCentral = rest.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]))
  await write(rest.subarray(0, restCentral))
  const central = Buffer.alloc(46)
  central.writeUInt32LE(0x02014b50, 0)
  central.writeUInt16LE(0x031e, 4)
  central.writeUInt16LE(20, 6)
  central.writeUInt16LE(0x0808, 8)
  central.writeUInt32LE(crc >>> 0, 16)
  central.writeUInt32LE(size, 20)
  central.writeUInt32LE(size, 24)
  central.writeUInt16LE(name.length, 28)
  central.writeUInt32LE((0o100644 << 16) >>> 0, 38)
  const directoryAt = offset
  const restDirectory = Buffer.from(rest.subarray(restCentral, rest.length - 22))
  for (let at = 0; at < restDirectory.length; at += 46 + restDirectory.readUInt16LE(at + 28)) {
    restDirectory.writeUInt32LE(restDirectory.readUInt32LE(at + 42) + restStart, at + 42)
  }
  await write(Buffer.concat([central, name, restDirectory]))
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(3, 8)
  end.writeUInt16LE(3, 10)
  end.writeUInt32LE(offset - directoryAt, 12)
  end.writeUInt32LE(directoryAt, 16)
  out.end(end)
  await once(out, 'close')
}
