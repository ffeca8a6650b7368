--[[
  rate-limit.lua: decides one request against several scopes at once and, in consume mode,
  takes one unit from every scope only when every enforced scope allows (all or nothing).
  Time is the server's own (TIME), never the caller's.

  KEYS[i]  the counter of scope i: a sorted set of request stamps (sliding window)
           or a hash { tokens, ts } (token bucket)

  ARGV[1]  mode: "consume" (decide and take) or "peek" (decide, write nothing)
  ARGV[2]  member: a string unique to this request, added to every sliding window it enters
  ARGV[3 + 4 * (i - 1)] .. ARGV[6 + 4 * (i - 1)], for scope i:
           kind      "w" sliding window, "b" token bucket
           a         window: the limit;          bucket: the capacity
           b         window: its length in ms;   bucket: tokens added per second
           enforced  "1" the scope may refuse; "0" shadow mode (reported, never refuses)

  Returns an array of integers:
  [1]      1 when the request is admitted (every enforced scope allows), else 0
  [2]      the server time, epoch milliseconds
  [3 + 4 * (i - 1)] .. [6 + 4 * (i - 1)], for scope i:
           allows     1 when this scope alone admits the request, else 0
           remaining  units left: after this request when it was taken, else as they are
           reset_ms   ms until the scope next gains a unit; 0 when it is full
           retry_ms   ms until this scope would admit a request; 0 when it allows now

  A shadow scope that refuses is not taken from; nothing is taken anywhere on a refusal.
]]

local mode = ARGV[1]
local member = ARGV[2]
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)

-- Stamps at or before now - window have left the window: it holds window ms of stamps exactly.
-- In consume mode expired stamps are trimmed first, so the log is the window and ZCARD/ZRANGE
-- by rank answer; peek writes nothing and asks by score instead.

local function stamp_at(key, floor, rank)
  local found
  if mode == 'consume' then
    found = redis.call('ZRANGE', key, rank, rank, 'WITHSCORES')
  else
    found = redis.call('ZRANGEBYSCORE', key, '(' .. floor, '+inf', 'WITHSCORES', 'LIMIT', rank, 1)
  end
  return tonumber(found[2])
end

local function live_count(key, floor)
  if mode == 'consume' then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2]
    if oldest == nil then
      return 0, nil
    end
    oldest = tonumber(oldest)
    if oldest <= floor then
      redis.call('ZREMRANGEBYSCORE', key, '-inf', floor)
      oldest = stamp_at(key, floor, 0)
    end
    if oldest == nil then
      return 0, nil
    end
    return redis.call('ZCARD', key), oldest
  end
  local count = redis.call('ZCOUNT', key, '(' .. floor, '+inf')
  if count == 0 then
    return 0, nil
  end
  return count, stamp_at(key, floor, 0)
end

local function window_state(key, limit, window)
  local floor = now - window
  local count, oldest = live_count(key, floor)
  local state = { kind = 'w', key = key, limit = limit, window = window }
  state.count = count
  state.oldest = oldest
  state.allows = count < limit
  state.retry = 0
  if not state.allows then
    state.retry = stamp_at(key, floor, count - limit) + window - now
  end
  return state
end

local function bucket_state(key, capacity, rate)
  local saved = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens = tonumber(saved[1])
  local stamp = tonumber(saved[2])
  if tokens == nil or stamp == nil then
    tokens = capacity
  else
    tokens = math.min(capacity, tokens + math.max(0, now - stamp) * rate / 1000)
  end
  local state = { kind = 'b', key = key, capacity = capacity, rate = rate, tokens = tokens }
  state.allows = tokens >= 1
  state.retry = 0
  if not state.allows then
    state.retry = math.ceil((1 - tokens) * 1000 / rate)
  end
  return state
end

local function take(state)
  if state.kind == 'w' then
    redis.call('ZADD', state.key, now, member)
    redis.call('PEXPIRE', state.key, state.window)
    state.count = state.count + 1
    state.oldest = state.oldest or now
  else
    state.tokens = state.tokens - 1
    redis.call('HSET', state.key, 'tokens', state.tokens, 'ts', now)
    redis.call('PEXPIRE', state.key, math.ceil(state.capacity * 1000 / state.rate))
  end
end

local function standing(state)
  if state.kind == 'w' then
    local reset = 0
    if state.oldest ~= nil then
      reset = state.oldest + state.window - now
    end
    return math.max(0, state.limit - state.count), reset
  end
  local remaining = math.floor(state.tokens)
  local reset = 0
  if state.tokens < state.capacity then
    reset = math.ceil((remaining + 1 - state.tokens) * 1000 / state.rate)
  end
  return math.max(0, remaining), reset
end

local states = {}
local admitted = true
for i = 1, #KEYS do
  local base = 3 + 4 * (i - 1)
  local a = tonumber(ARGV[base + 1])
  local b = tonumber(ARGV[base + 2])
  local state
  if ARGV[base] == 'w' then
    state = window_state(KEYS[i], a, b)
  else
    state = bucket_state(KEYS[i], a, b)
  end
  state.enforced = ARGV[base + 3] == '1'
  if state.enforced and not state.allows then
    admitted = false
  end
  states[i] = state
end

if mode == 'consume' and admitted then
  for i = 1, #states do
    if states[i].allows then
      take(states[i])
    end
  end
end

local reply = { admitted and 1 or 0, now }
for i = 1, #states do
  local remaining, reset = standing(states[i])
  local base = 3 + 4 * (i - 1)
  reply[base] = states[i].allows and 1 or 0
  reply[base + 1] = remaining
  reply[base + 2] = reset
  reply[base + 3] = states[i].retry
end
return reply
