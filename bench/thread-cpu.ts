/**
 * Where the engine process's CPU goes, by thread, read from /proc (Linux; zeros elsewhere): the
 * main thread's CPU and the time it waited for a core while runnable (schedstat), and the CPU of
 * every other thread together (V8's compiler and GC helpers, libuv's pool). In a fresh engine
 * process the other threads are mostly TurboFan compiling the engine's code during the timed job.
 */
import { readdirSync, readFileSync } from 'node:fs'

export interface ThreadCpu {
  /** CPU of the main thread (user + system), ms. */
  readonly main_cpu_ms: number
  /** Runnable but waiting for a core (the shared machine's contention), ms. */
  readonly main_runqueue_wait_ms: number
  /** CPU of all other threads, ms. */
  readonly other_threads_cpu_ms: number
}

const TICK_MS = 10 // USER_HZ is 100 on every Linux Node supports

function read(): { main: number; wait: number; others: number } {
  const pid = String(process.pid)
  let main = 0
  let wait = 0
  let others = 0
  try {
    const sched = readFileSync(`/proc/self/task/${pid}/schedstat`, 'utf8').trim().split(' ')
    main = Number(sched[0]) / 1e6
    wait = Number(sched[1]) / 1e6
    for (const t of readdirSync('/proc/self/task')) {
      if (t === pid) continue
      try {
        const st = readFileSync(`/proc/self/task/${t}/stat`, 'utf8')
        const f = st.slice(st.lastIndexOf(')') + 2).split(' ')
        others += (Number(f[11]) + Number(f[12])) * TICK_MS
      } catch {
        // The thread ended between the listing and the read.
      }
    }
  } catch {
    return { main: 0, wait: 0, others: 0 }
  }
  return { main, wait, others }
}

/** Start measuring; the returned function gives the figures since then. */
export function threadCpu(): () => ThreadCpu {
  const a = read()
  return () => {
    const b = read()
    return {
      main_cpu_ms: b.main - a.main,
      main_runqueue_wait_ms: b.wait - a.wait,
      // A thread that ended in between took its ticks with it: never report less than nothing.
      other_threads_cpu_ms: Math.max(0, b.others - a.others),
    }
  }
}
