/**
 * The Lua side of the shared budget (see budget-redis.ts). Each script runs atomically in Redis,
 * so "count the window, then start" can never interleave between processes, and every process
 * reads time from the Redis server (`TIME`), so clocks that disagree between hosts cannot widen a
 * window. The pacing rules are those of budget-pacing.ts (`Pacing`), ported line for line: caps
 * and the slow-down factor live in one hash per credential, so a throttle answer seen by any
 * process slows every process.
 *
 * Keys of one budget (all under one hash tag, so they share a Redis Cluster slot):
 * - `starts`    sorted set, member = call id, score = start time (ms): the sliding windows.
 * - `leases`    sorted set, member = call id, score = lease expiry (ms): the in-flight slots. A
 *               process that dies stops renewing, and its slots lapse at expiry.
 * - `throttles` sorted set of throttle answers (to count what the vendor accepted).
 * - `pace`      hash: capS, capM, factor, lastThrottle, lastDecrease, lastIncrease, lastRelearn,
 *               blocked (hold every caller until then), acquired, penalties.
 *
 * Common ARGV: 1 call id, 2 ceiling/s (0 = none), 3 ceiling/min (0 = none), 4 in-flight (0 = none),
 * 5 guard/s ms, 6 guard/min ms, 7 lease ms, 8 floor, 9 decrease, 10 increase step,
 * 11 increase-after ms, 12 relearn-after ms, 13 learned/s (0 = none), 14 learned/min, 15 key TTL ms.
 *
 * Reply (both scripts): { status, waitMs, limit/s, limit/min, factor × 1e6, cap/s × 100,
 * cap/min × 100, acquired, penalties } where status 0 = granted, 1 = wait for the window or a
 * throttle hold, 2 = wait for an in-flight slot (waitMs = until the oldest lease lapses).
 */

const PRELUDE = `
local NEG = -1e15
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local o = {
  ceilS = tonumber(ARGV[2]), ceilM = tonumber(ARGV[3]), inFlight = tonumber(ARGV[4]),
  guardS = tonumber(ARGV[5]), guardM = tonumber(ARGV[6]), leaseMs = tonumber(ARGV[7]),
  floor = tonumber(ARGV[8]), decrease = tonumber(ARGV[9]), step = tonumber(ARGV[10]),
  afterMs = tonumber(ARGV[11]), relearnMs = tonumber(ARGV[12]),
  learnedS = tonumber(ARGV[13]), learnedM = tonumber(ARGV[14]), ttl = tonumber(ARGV[15]),
}
local rateLimited = o.ceilS > 0 or o.ceilM > 0
local SPAN = { S = 1000, M = 60000 }
local GUARD = { S = o.guardS, M = o.guardM }
local CEIL = { S = o.ceilS, M = o.ceilM }

local function minFor(ceil) return math.max(1, ceil * o.floor) end
local function clamp(v, lo, hi) return math.min(hi, math.max(lo, v)) end
local function num(v, d) if v then return tonumber(v) end return d end

local h = redis.call('HMGET', PACE, 'capS', 'capM', 'factor', 'lastThrottle', 'lastDecrease',
  'lastIncrease', 'lastRelearn', 'blocked', 'acquired', 'penalties')
local p = {
  factor = num(h[3], 1), lastThrottle = num(h[4], NEG), lastDecrease = num(h[5], NEG),
  lastIncrease = num(h[6], NEG), lastRelearn = num(h[7], NEG), blocked = num(h[8], 0),
  acquired = num(h[9], 0), penalties = num(h[10], 0), cap = {},
}
-- A cap starts at the ceiling, or at what an earlier run learned; a changed ceiling re-clamps it.
for _, w in ipairs({ 'S', 'M' }) do
  local c = CEIL[w]
  if c > 0 then
    local stored = num(h[w == 'S' and 1 or 2], nil)
    if stored == nil then
      local l = w == 'S' and o.learnedS or o.learnedM
      if l > 0 then stored = clamp(l, minFor(c), c) else stored = c end
    end
    p.cap[w] = clamp(stored, minFor(c), c)
  end
end

local function recover()
  if p.lastRelearn == NEG then p.lastRelearn = now end
  local ref = math.max(p.lastIncrease, p.lastThrottle)
  if p.factor < 1 and now - ref >= o.afterMs then
    local steps = math.floor((now - ref) / o.afterMs)
    p.factor = math.min(1, p.factor + steps * o.step)
    p.lastIncrease = now
  end
  if now - math.max(p.lastRelearn, p.lastThrottle) >= o.relearnMs then
    for w, cap in pairs(p.cap) do p.cap[w] = math.min(CEIL[w], cap + CEIL[w] * 0.01) end
    p.lastRelearn = now
  end
end

local function limit(w)
  local cap = p.cap[w]
  if cap == nil then return nil end
  recover()
  return math.max(1, math.floor(math.max(minFor(CEIL[w]), cap * p.factor)))
end

local function windowWait()
  local wait = 0
  for _, w in ipairs({ 'S', 'M' }) do
    local n = limit(w)
    if n ~= nil then
      local span = SPAN[w] + GUARD[w]
      if redis.call('ZCOUNT', STARTS, '(' .. (now - span), '+inf') >= n then
        local nth = redis.call('ZREVRANGE', STARTS, n - 1, n - 1, 'WITHSCORES')
        wait = math.max(wait, tonumber(nth[2]) + span - now)
      end
    end
  end
  return wait
end

local function keep(status, wait)
  redis.call('HSET', PACE, 'factor', tostring(p.factor), 'lastThrottle', tostring(p.lastThrottle),
    'lastDecrease', tostring(p.lastDecrease), 'lastIncrease', tostring(p.lastIncrease),
    'lastRelearn', tostring(p.lastRelearn), 'blocked', tostring(p.blocked),
    'acquired', tostring(p.acquired), 'penalties', tostring(p.penalties))
  if p.cap.S ~= nil then redis.call('HSET', PACE, 'capS', tostring(p.cap.S)) end
  if p.cap.M ~= nil then redis.call('HSET', PACE, 'capM', tostring(p.cap.M)) end
  redis.call('PEXPIRE', PACE, o.ttl)
  local ls, lm = limit('S'), limit('M')
  return { status, math.ceil(wait), ls or 0, lm or 0, math.floor(p.factor * 1e6),
    p.cap.S and math.floor(p.cap.S * 100) or -1, p.cap.M and math.floor(p.cap.M * 100) or -1,
    p.acquired, p.penalties }
end
`

/** KEYS: starts, leases, pace. */
export const ACQUIRE_LUA = `
local STARTS, LEASES, PACE = KEYS[1], KEYS[2], KEYS[3]
${PRELUDE}
local longest = (o.ceilM > 0 and (SPAN.M + GUARD.M)) or (SPAN.S + GUARD.S)
if p.blocked > now then return keep(1, p.blocked - now) end
if rateLimited then
  redis.call('ZREMRANGEBYSCORE', STARTS, '-inf', now - longest)
  local wait = windowWait()
  if wait > 0 then return keep(1, wait) end
end
if o.inFlight > 0 then
  redis.call('ZREMRANGEBYSCORE', LEASES, '-inf', now)
  if redis.call('ZCARD', LEASES) >= o.inFlight then
    local first = redis.call('ZRANGE', LEASES, 0, 0, 'WITHSCORES')
    return keep(2, math.max(1, tonumber(first[2]) - now))
  end
  redis.call('ZADD', LEASES, now + o.leaseMs, ARGV[1])
  redis.call('PEXPIRE', LEASES, o.leaseMs * 2)
end
if rateLimited then
  redis.call('ZADD', STARTS, now, ARGV[1])
  redis.call('PEXPIRE', STARTS, longest + 1000)
end
p.acquired = p.acquired + 1
return keep(0, 0)
`

/** KEYS: starts, throttles, pace. Extra ARGV: 16 wait ms, 17 exact (1/0), 18 window ('S', 'M' or ''). */
export const PENALISE_LUA = `
local STARTS, THROTTLES, PACE = KEYS[1], KEYS[2], KEYS[3]
${PRELUDE}
local waitMs, exact, hint = tonumber(ARGV[16]), ARGV[17] == '1', ARGV[18]
p.penalties = p.penalties + 1
local longest = (o.ceilM > 0 and (SPAN.M + GUARD.M)) or (SPAN.S + GUARD.S)
if rateLimited then
  redis.call('ZREMRANGEBYSCORE', THROTTLES, '-inf', now - longest)
  redis.call('ZADD', THROTTLES, now, ARGV[1])
  redis.call('PEXPIRE', THROTTLES, longest + 1000)
end
local accepted = {}
for _, w in ipairs({ 'S', 'M' }) do
  local from = '(' .. (now - SPAN[w])
  accepted[w] = math.max(0, redis.call('ZCOUNT', STARTS, from, '+inf') - redis.call('ZCOUNT', THROTTLES, from, '+inf'))
end
-- Pacing.throttled: the named window, or the fullest one; echoes within 1 s do not decrease again.
p.lastThrottle = now
local w = nil
if hint ~= '' and p.cap[hint] ~= nil then w = hint else
  local fill = -1
  for _, x in ipairs({ 'S', 'M' }) do
    local lim = limit(x)
    if lim ~= nil and accepted[x] / lim > fill then fill = accepted[x] / lim; w = x end
  end
end
if w ~= nil and now - p.lastDecrease >= 1000 then
  p.lastDecrease = now
  local cap = p.cap[w]
  local nextCap = math.min(cap * 0.98, math.max(accepted[w] * 0.97, cap * 0.5))
  p.cap[w] = math.max(minFor(CEIL[w]), nextCap)
  p.factor = math.max(o.floor, p.factor * o.decrease)
  p.lastIncrease = now
  p.lastRelearn = now
end
local wait = waitMs
if not exact and rateLimited then wait = math.min(waitMs, math.max(100, windowWait())) end
p.blocked = math.max(p.blocked, now + wait)
return keep(1, wait)
`

/** KEYS: leases. ARGV: call id, lease ms. Extends a held lease; a lapsed one is not revived. */
export const RENEW_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
  return 1
end
return 0
`
