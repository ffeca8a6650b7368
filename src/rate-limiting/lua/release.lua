--[[
  release.lua: gives back the units one request took with rate-limit.lua, when a later part of
  the same decision (another Redis Cluster slot) refused it. Giving back never lets a scope
  exceed what it would hold had the request never come.

  KEYS[i]  the counter of scope i, as passed to rate-limit.lua

  ARGV[1]  the stamp rate-limit.lua returned (its reply [2]): the request's entry in each window
  ARGV[2 + 3 * (i - 1)] .. ARGV[4 + 3 * (i - 1)], for scope i:
           kind  "w" sliding window, "b" token bucket
           a     window: the limit (unused);  bucket: the capacity
           b     window: its length (unused); bucket: tokens added per second

  Returns the number of scopes given back to.
]]

local stamp = ARGV[1]
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local released = 0

-- Requests admitted in the same millisecond share a stamp; removing any one of them is the same.
local function remove_stamp(key)
  return redis.call('LREM', key, -1, stamp)
end

local function refund_token(key, capacity, rate)
  local saved = redis.call('GET', key)
  if not saved then
    return 0
  end
  local level, at = string.match(saved, '^(%S+) (%S+)$')
  local refilled = tonumber(level) + math.max(0, now - tonumber(at)) * rate / 1000
  local tokens = math.min(capacity, refilled + 1)
  redis.call('SET', key, tokens .. ' ' .. now, 'PX', math.ceil(capacity * 1000 / rate))
  return 1
end

for i = 1, #KEYS do
  local base = 2 + 3 * (i - 1)
  if ARGV[base] == 'w' then
    released = released + remove_stamp(KEYS[i])
  else
    released = released + refund_token(KEYS[i], tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]))
  end
end
return released
