/**
 * A remembered answer per key, for pure computations asked again and again with few distinct keys
 * (API paths to sign, key names to redact). Keys that turn out to be data (ids) would grow the
 * map without bound: past `max` entries it starts over, which costs one recomputation per key.
 */
export function remembered<K, V>(cache: Map<K, V>, max: number, key: K, compute: (key: K) => V): V {
  const known = cache.get(key)
  if (known !== undefined) return known
  const v = compute(key)
  if (cache.size >= max) cache.clear()
  cache.set(key, v)
  return v
}
