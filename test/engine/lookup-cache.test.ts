import { describe, expect, it } from 'vitest'
import { LookupCache } from '../../src/engine/lookup-cache.js'

/** A collection store that counts the queries that reach it. */
function storeOf(rows: Record<string, Record<string, unknown>[]>) {
  const asked: string[] = []
  return {
    asked,
    rows,
    provider: {
      find: (q: { collection: string; field: string; where: Record<string, unknown> }) => {
        asked.push(`${q.collection}.${q.field}`)
        const hit = (rows[q.collection] ?? []).find((r) => Object.entries(q.where).every(([k, v]) => r[k] === v))
        return Promise.resolve(hit?.[q.field])
      },
    },
  }
}

const material = (number: string) => ({ collection: 'jdy-materials', field: 'id', where: { number } })

describe('LookupCache', () => {
  it('answers a repeated lookup from memory and keys it by collection, field and where values', async () => {
    const s = storeOf({
      'jdy-materials': [
        { number: 'A', id: 'm-a', unit: 'u-a' },
        { number: 'B', id: 'm-b', unit: 'u-b' },
      ],
    })
    const cache = new LookupCache(s.provider)
    expect(await cache.find(material('A'))).toBe('m-a')
    expect(await cache.find(material('A'))).toBe('m-a')
    expect(await cache.find(material('B'))).toBe('m-b')
    expect(await cache.find({ collection: 'jdy-materials', field: 'unit', where: { number: 'A' } })).toBe('u-a')
    expect(s.asked).toHaveLength(3)
  })

  it('shares one store query between concurrent lookups of one key', async () => {
    const s = storeOf({ 'jdy-materials': [{ number: 'A', id: 'm-a' }] })
    const cache = new LookupCache(s.provider)
    expect(await Promise.all([cache.find(material('A')), cache.find(material('A'))])).toEqual(['m-a', 'm-a'])
    expect(s.asked).toHaveLength(1)
  })

  it('keeps a miss only until the next batch, so a re-synced material is found then', async () => {
    const s = storeOf({ 'jdy-materials': [] })
    const cache = new LookupCache(s.provider)
    expect(await cache.find(material('A'))).toBeUndefined()
    s.rows['jdy-materials']!.push({ number: 'A', id: 'm-a' })
    expect(await cache.find(material('A'))).toBeUndefined()
    cache.dropMisses()
    expect(await cache.find(material('A'))).toBe('m-a')
  })

  it('keeps found values across batches but forgets a collection once its records are written', async () => {
    const s = storeOf({ 'jdy-materials': [{ number: 'A', id: 'm-a' }], 'jdy-stores': [{ number: 'S', id: 's-1' }] })
    const cache = new LookupCache(s.provider)
    await cache.find(material('A'))
    await cache.find({ collection: 'jdy-stores', field: 'id', where: { number: 'S' } })
    cache.dropMisses()
    s.rows['jdy-materials']![0]!.id = 'm-a2'
    expect(await cache.find(material('A'))).toBe('m-a')
    cache.dropCollection('jdy-materials')
    expect(await cache.find(material('A'))).toBe('m-a2')
    expect(await cache.find({ collection: 'jdy-stores', field: 'id', where: { number: 'S' } })).toBe('s-1')
    cache.clear()
    expect(cache.size).toBe(0)
  })

  it('holds at most its bound, dropping the least recently used answer', async () => {
    const s = storeOf({
      'jdy-materials': [
        { number: 'A', id: 'm-a' },
        { number: 'B', id: 'm-b' },
        { number: 'C', id: 'm-c' },
      ],
    })
    const cache = new LookupCache(s.provider, 2)
    await cache.find(material('A'))
    await cache.find(material('B'))
    await cache.find(material('A'))
    await cache.find(material('C'))
    expect(cache.size).toBe(2)
    s.asked.length = 0
    await cache.find(material('A'))
    expect(s.asked).toHaveLength(0)
    await cache.find(material('B'))
    expect(s.asked).toHaveLength(1)
  })

  it('does not keep a failed query, and hands out copies that callers cannot spoil', async () => {
    let fail = true
    const obj = { id: 'm-a', units: ['u'] }
    const cache = new LookupCache({
      find: () => (fail ? Promise.reject(new Error('busy')) : Promise.resolve(obj)),
    })
    await expect(cache.find(material('A'))).rejects.toThrow('busy')
    fail = false
    const got = (await cache.find(material('A'))) as { units: string[] }
    got.units.push('x')
    expect(await cache.find(material('A'))).toEqual({ id: 'm-a', units: ['u'] })
  })
})
