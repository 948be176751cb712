/**
 * Mutation hooks (JST spec §11.3): scripted drift at exact moments of a client's paging, so a
 * test can prove that a naive pager misses a row and a careful one does not.
 */

export type HookFn = () => void | Promise<void>

/** A count-query window as the client sent it (`modified_begin`/`modified_end` strings). */
export interface HookWindow {
  readonly modified_begin: string
  readonly modified_end: string
}

interface PageHook {
  window?: HookWindow
  pageIndex: number
  fn: HookFn
}
interface CountHook {
  at: number
  fn: HookFn
}

export class Hooks {
  private pageHooks: PageHook[] = []
  private countHooks: CountHook[] = []
  private requests = 0

  /** Run `fn` once, right after the n-th request (counted from now) has been answered by the API logic. */
  afterRequest(n: number, fn: HookFn): void {
    this.countHooks.push({ at: this.requests + n, fn })
  }

  /**
   * Run `fn` once, after a successful count query for `window` (any window when omitted) and
   * page `pageIndex` was computed, i.e. before the client asks for the next page.
   */
  betweenPages(window: HookWindow | undefined, pageIndex: number, fn: HookFn): void {
    this.pageHooks.push({ ...(window === undefined ? {} : { window }), pageIndex, fn })
  }

  clear(): void {
    this.pageHooks = []
    this.countHooks = []
  }

  /** Called by the simulator after each request the API logic answered. */
  async afterAnswer(countPage?: { window?: HookWindow; pageIndex: number }): Promise<void> {
    this.requests++
    const due = this.countHooks.filter((h) => h.at === this.requests)
    this.countHooks = this.countHooks.filter((h) => h.at > this.requests)
    for (const h of due) await h.fn()
    if (countPage === undefined) return
    const hits = this.pageHooks.filter(
      (h) =>
        h.pageIndex === countPage.pageIndex &&
        (h.window === undefined ||
          (h.window.modified_begin === countPage.window?.modified_begin &&
            h.window.modified_end === countPage.window.modified_end)),
    )
    this.pageHooks = this.pageHooks.filter((h) => !hits.includes(h))
    for (const h of hits) await h.fn()
  }
}
