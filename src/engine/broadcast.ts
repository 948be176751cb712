/** A wake-up shared by any number of waiters: `fire` resolves every promise `wait` gave out so far. */
export class Broadcast {
  private waiters: (() => void)[] = []
  wait(): Promise<void> {
    return new Promise((r) => this.waiters.push(r))
  }
  fire(): void {
    const w = this.waiters
    this.waiters = []
    for (const f of w) f()
  }
}
