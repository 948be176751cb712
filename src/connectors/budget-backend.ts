/**
 * Picks where a host keeps its credential budgets: in Redis when `queue.redisUrl` is set (every
 * process of the deployment shares them), otherwise in this process. Redis support is loaded only
 * when it is used, so a single-process `ferry run` never loads a Redis client.
 */
import { LocalBudgetRegistry, type BudgetBackend } from './budget.js'
import type { RedisBudgetOptions } from './budget-redis.js'

export async function openBudgetBackend(redisUrl?: string, options: RedisBudgetOptions = {}): Promise<BudgetBackend> {
  if (redisUrl === undefined || redisUrl === '') return new LocalBudgetRegistry()
  const { RedisBudgetRegistry } = await import('./budget-redis.js')
  return new RedisBudgetRegistry(redisUrl, options)
}
