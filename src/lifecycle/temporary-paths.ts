/**
 * The files and folders a run creates for a moment (a download's partial file, a staging folder
 * for unpacking or uploading): tracked so that a run stopped hard on cancellation still leaves
 * none of them behind.
 */
import { rmSync } from 'node:fs'

/** What a phase needs: a slot to put its temporary path in while it exists. */
export interface TrackedPaths {
  replace(slot: string, path: string | undefined): void
}

export class TemporaryPaths implements TrackedPaths {
  private readonly paths = new Map<string, string>()

  /** The slots of one tool of a set, apart from the others'. */
  scope(prefix: string): TrackedPaths {
    return { replace: (slot, path) => this.replace(`${prefix}/${slot}`, path) }
  }

  /** Tracks `path` under `slot`, replacing what the slot held; undefined empties the slot. */
  replace(slot: string, path: string | undefined): void {
    if (path === undefined) this.paths.delete(slot)
    else this.paths.set(slot, path)
  }

  /** Removes everything still tracked, synchronously: it runs just before the process exits. */
  removeAll(): void {
    for (const path of this.paths.values()) rmSync(path, { recursive: true, force: true })
    this.paths.clear()
  }
}
