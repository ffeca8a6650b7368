--[[
  rate-limit.lua: decides one request against several scopes at once and, in consume mode,
  takes one unit from every scope only when every enforced scope allows (all or nothing).
  Time is the server's own (TIME), never the caller's.

  KEYS[i]  the counter of scope i: a list of admission stamps in ms, oldest first (sliding
           window), or a string "tokens stamp" (token bucket)

  ARGV[1]  mode: "consume" (decide and take) or "peek" (decide, take nothing)
  ARGV[2 + 4 * (i - 1)] .. ARGV[5 + 4 * (i - 1)], for scope i:
           kind      "w" sliding window, "b" token bucket
           a         window: the limit;          bucket: the capacity
           b         window: its length in ms;   bucket: tokens added per second
           enforced  "1" the scope may refuse; "0" shadow mode (reported, never refuses)

  Returns an array of integers:
  [1]      1 when the request is admitted (every enforced scope allows), else 0
  [2]      the server time, epoch milliseconds (the stamp this request was added under)
  [3 + 4 * (i - 1)] .. [6 + 4 * (i - 1)], for scope i:
           allows     1 when this scope alone admits the request, else 0
           remaining  units left: after this request when it was taken, else as they are
           reset_ms   ms until the scope next gains a unit; 0 when it is full
           retry_ms   ms until this scope would admit a request; 0 when it allows now

  A shadow scope that refuses is not taken from; nothing is taken anywhere on a refusal.
  Both modes drop stamps that have left their window: that changes no standing.
]]

local mode = ARGV[1]
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)

-- A window of `window` ms holds the stamps after now - window; a stamp at or before that has
-- left it. Stamps are appended in time order, so the expired ones are a prefix of the list.
local TRIM_CHUNK = 32

local function drop_expired(key, floor)
  while true do
    local head = redis.call('LRANGE', key, 0, TRIM_CHUNK - 1)
    local expired = 0
    while expired < #head and tonumber(head[expired + 1]) <= floor do
      expired = expired + 1
    end
    if expired == 0 then
      return
    end
    redis.call('LTRIM', key, expired, -1)
    if expired < #head then
      return
    end
  end
end

local function window_state(key, limit, window)
  local floor = now - window
  local oldest = tonumber(redis.call('LINDEX', key, 0))
  if oldest ~= nil and oldest <= floor then
    drop_expired(key, floor)
    oldest = tonumber(redis.call('LINDEX', key, 0))
  end
  local count = 0
  if oldest ~= nil then
    count = redis.call('LLEN', key)
  end
  local state = { kind = 'w', key = key, limit = limit, window = window }
  state.count = count
  state.oldest = oldest
  state.allows = count < limit
  state.retry = 0
  if not state.allows then
    local stamp = tonumber(redis.call('LINDEX', key, count - limit))
    state.retry = math.max(1, stamp + window - now)
  end
  return state
end

local function bucket_state(key, capacity, rate)
  local saved = redis.call('GET', key)
  local tokens = capacity
  if saved then
    local level, stamp = string.match(saved, '^(%S+) (%S+)$')
    tokens = math.min(capacity, tonumber(level) + math.max(0, now - tonumber(stamp)) * rate / 1000)
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
    redis.call('RPUSH', state.key, now)
    redis.call('PEXPIRE', state.key, state.window)
    state.count = state.count + 1
    state.oldest = state.oldest or now
  else
    state.tokens = state.tokens - 1
    local ttl = math.ceil(state.capacity * 1000 / state.rate)
    redis.call('SET', state.key, state.tokens .. ' ' .. now, 'PX', ttl)
  end
end

local function standing(state)
  if state.kind == 'w' then
    local reset = 0
    if state.oldest ~= nil then
      reset = math.max(0, state.oldest + state.window - now)
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
  local base = 2 + 4 * (i - 1)
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
