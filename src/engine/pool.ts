/** Run `fn` over items with at most `limit` at once (the target's in-flight limit). */
export async function pool<T>(items: readonly T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (i < items.length) {
      const item = items[i++] as T
      await fn(item)
    }
  })
  await Promise.all(workers)
}
