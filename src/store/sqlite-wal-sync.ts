/**
 * Durability of SQLite commits without blocking the event loop. With `synchronous = FULL` SQLite
 * syncs the WAL inside COMMIT, and better-sqlite3 runs COMMIT on the main thread: every sync
 * (0.2 ms idle, several ms when the disk is shared) stopped every other worker of the engine.
 * Instead the connection runs `synchronous = NORMAL`, which in WAL mode writes each commit's frames
 * to the WAL file (and stays consistent: checkpoints still sync), and this class syncs the WAL
 * file with `fdatasync` on libuv's thread pool. A transaction that must be durable settles only
 * after a sync that STARTED after its COMMIT returned; one sync covers every commit before it, so
 * concurrent transactions share syncs.
 *
 * Why syncing the WAL file is enough: a commit is durable once its frames are on disk, because
 * recovery replays the WAL's valid prefix. The file exists from the first write for as long as
 * this connection is open (SQLite deletes it only when the last connection closes, and a WAL
 * restart or truncation keeps the same file), so the descriptor opened here stays the right one.
 */
import { closeSync, fdatasync, fsync, openSync } from 'node:fs'
import { dirname } from 'node:path'

export class WalSync {
  private fd: number | undefined
  /** The last sync issued or waiting to be issued. */
  private current: Promise<void> | undefined
  /** A sync not issued yet: commits made now are covered by it. */
  private queued: Promise<void> | undefined

  /** `translate`: what a failed sync rejects with (driver-errors.ts `storeError`: ENOSPC is a full disk). */
  constructor(
    private readonly walPath: string,
    private readonly translate: (e: unknown) => unknown = (e) => e,
  ) {}

  /** Resolves once every commit made before this call is on disk. */
  sync(): Promise<void> {
    if (this.queued !== undefined) return this.queued
    const after = this.current ?? Promise.resolve()
    const p: Promise<void> = after
      .catch(() => undefined)
      .then(() => {
        // From here on a new commit needs a later sync: this one may start before it is written.
        if (this.queued === p) this.queued = undefined
        return this.syncNow()
      })
    this.queued = p
    this.current = p
    return p
  }

  /** Closes the descriptor once the syncs in flight are done (closing under them could hand the number to another file). */
  close(): void {
    const fd = this.fd
    this.fd = undefined
    if (fd === undefined) return
    if (this.current === undefined) closeSync(fd)
    else void this.current.catch(() => undefined).then(() => closeSync(fd))
  }

  private async syncNow(): Promise<void> {
    try {
      await this.syncOnce()
    } catch (e) {
      throw this.translate(e)
    }
  }

  private async syncOnce(): Promise<void> {
    if (this.fd === undefined) {
      const fd = openSync(this.walPath, 'r+')
      this.fd = fd
      // The WAL file may have just been created: its name is durable only once its directory is.
      await syncDirectory(dirname(this.walPath))
    }
    const fd = this.fd
    await new Promise<void>((resolve, reject) => fdatasync(fd, (e) => (e === null ? resolve() : reject(e))))
  }
}

/** Not possible on every platform (Windows cannot open a directory); there it is skipped. */
async function syncDirectory(dir: string): Promise<void> {
  let fd: number
  try {
    fd = openSync(dir, 'r')
  } catch {
    return
  }
  await new Promise<void>((resolve) => fsync(fd, () => resolve()))
  closeSync(fd)
}
