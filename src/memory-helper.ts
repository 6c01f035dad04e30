/**
 * Keeps a big download within a small memory budget. Node frees the 64 KiB buffers a socket
 * reads into only when V8 collects their small wrappers, and during a fast download that
 * garbage piles up faster than V8's own heuristics collect it: a 512 MiB export took the
 * process to 150 MB. A young-generation collection every 16 MiB keeps it near 110 MB (measured
 * by `npm run bench`), at about a millisecond each.
 */
import v8 from 'node:v8'
import vm from 'node:vm'

type Collect = (options?: { type: 'minor' | 'major' }) => void

let collect: Collect | null | undefined

function collector(): Collect | null {
  if (collect === undefined) {
    try {
      // The runner starts node without --expose-gc; the flag can still be set at run time, and
      // gc() then exists in contexts created afterwards.
      v8.setFlagsFromString('--expose-gc')
      collect = vm.runInNewContext('gc') as Collect
    } catch {
      collect = null
    }
  }
  return collect
}

/** A function to call with the running byte count; it collects young garbage every `every` bytes. */
export function garbageCollectorEvery(every: number): (bytes: number) => void {
  const gc = collector()
  let next = every
  return bytes => {
    if (gc && bytes >= next) {
      next = bytes + every
      gc({ type: 'minor' })
    }
  }
}
