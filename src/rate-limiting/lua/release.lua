--[[
  release.lua: gives back the units one request took with rate-limit.lua, when a later part of
  the same decision (another Redis Cluster slot) refused it. Giving back never lets a scope
  exceed what it would hold had the request never come.

  KEYS[i]  the counter of scope i, as passed to rate-limit.lua

  ARGV[1]  member: the string the request was added under in every sliding window
  ARGV[2 + 3 * (i - 1)] .. ARGV[4 + 3 * (i - 1)], for scope i:
           kind  "w" sliding window, "b" token bucket
           a     window: the limit (unused);  bucket: the capacity
           b     window: its length (unused); bucket: tokens added per second

  Returns the number of scopes given back to.
]]

local member = ARGV[1]
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local released = 0

local function refund_token(key, capacity, rate)
  local saved = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens = tonumber(saved[1])
  local stamp = tonumber(saved[2])
  if tokens == nil or stamp == nil then
    return 0
  end
  tokens = math.min(capacity, tokens + math.max(0, now - stamp) * rate / 1000 + 1)
  redis.call('HSET', key, 'tokens', tokens, 'ts', now)
  return 1
end

for i = 1, #KEYS do
  local base = 2 + 3 * (i - 1)
  if ARGV[base] == 'w' then
    released = released + redis.call('ZREM', KEYS[i], member)
  else
    released = released + refund_token(KEYS[i], tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]))
  end
end
return released
