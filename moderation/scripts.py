"""Lua scripts: every state change of a comment is one of these, run atomically by Redis.

Each script lists its KEYS and ARGV in a header.  Key names come from ``moderation.keys``
through KEYS only (never built in Lua), so all keys of a call share the site's hash tag
and one cluster slot.  Scripts are registered once at start-up (``Store.__init__``) and
called by SHA; redis-py reloads them transparently after a Redis restart.
"""

from __future__ import annotations

# Store a new comment unless the CMS already sent it.
#
# KEYS[1] external-id hash        KEYS[2] idempotency-key string   KEYS[3] comment hash
# KEYS[4] status zset (pending)   KEYS[5] status zset (approved)   KEYS[6] status zset (spam)
# KEYS[7] pending-by-score zset   KEYS[8] events stream            KEYS[9] author zset
# KEYS[10] approved-authors set  KEYS[11] decided zset (retention)
# KEYS[12] recent-text string (the text's fingerprint -> the first comment id)
# KEYS[13] idempotency-fingerprint string (beside KEYS[2])
# ARGV[1] external id ('' = none)            ARGV[2] idempotency key TTL s (0 = no key)
# ARGV[3] new comment id                     ARGV[4] status decided so far
# ARGV[5] spam score                         ARGV[6] created ms
# ARGV[7] data JSON                          ARGV[8] history line (JSON) for creation
# ARGV[9] author email ('' = none)           ARGV[10] '1' if approved authors are trusted
# ARGV[11] history line (JSON) for a trusted-author approval
# ARGV[12] events stream approximate max length
# ARGV[13] repeat window s (0 = no repeat check)
# ARGV[14] status if the text repeats a recent comment ('' = the same as ARGV[4])
# ARGV[15] history if that changes the status, ARGV[16] its rule; both may hold
#          '{repeat_of}', replaced by the earlier comment's id
# ARGV[17] fingerprint of the comment, kept in KEYS[13] ('' = not compared)
# Returns {'dup', existing id}, {'conflict', existing id} (the idempotency key was used
# for a different comment) or {'new', id, status, id of the comment it repeats or ''}.
#
# The repeat check lives here, not in a round trip of its own: a retry of a stored
# comment never reaches it, and a repeat is flagged atomically with its write.
INTAKE = """
local ext_id = ARGV[1]
local idem_ttl = tonumber(ARGV[2])
if ext_id ~= '' then
  local seen = redis.call('HGET', KEYS[1], ext_id)
  if seen then return {'dup', seen} end
end
if idem_ttl > 0 then
  local seen = redis.call('GET', KEYS[2])
  if seen then
    -- no fingerprint (a key from an older release): replay, as that release would
    local seen_fp = redis.call('GET', KEYS[13])
    if seen_fp and ARGV[17] ~= '' and seen_fp ~= ARGV[17] then return {'conflict', seen} end
    return {'dup', seen}
  end
end
local id = ARGV[3]
local status = ARGV[4]
local data = ARGV[7]
local history = ARGV[8]
local email = ARGV[9]
local repeat_of = ''
local window = tonumber(ARGV[13])
if window > 0 and not redis.call('SET', KEYS[12], id, 'NX', 'EX', window) then
  repeat_of = redis.call('GET', KEYS[12]) or ''
end
if repeat_of ~= '' then
  -- rare, so only here is the record decoded: flag it and apply the site's repeat rule
  local record = cjson.decode(data)
  local reasons = {'repeats a recent comment'}
  if type(record['reasons']) == 'table' then
    for i = 1, math.min(3, #record['reasons']) do reasons[#reasons + 1] = record['reasons'][i] end
  end
  record['reasons'] = reasons
  record['repeat_of'] = repeat_of
  if ARGV[14] ~= '' and ARGV[14] ~= status then
    status = ARGV[14]
    record['rule'] = (string.gsub(ARGV[16], '{repeat_of}', repeat_of))
    history = (string.gsub(ARGV[15], '{repeat_of}', repeat_of))
  end
  data = cjson.encode(record)
end
if status == 'pending' and ARGV[10] == '1' and email ~= ''
   and redis.call('SISMEMBER', KEYS[10], email) == 1 then
  status = 'approved'
  history = history .. '\\n' .. ARGV[11]
end
redis.call('HSET', KEYS[3],
  'data', data, 'status', status, 'initial_status', status,
  'spam_score', ARGV[5], 'created_ms', ARGV[6], 'history', history)
if status == 'pending' then
  redis.call('ZADD', KEYS[4], ARGV[6], id)
  redis.call('ZADD', KEYS[7], ARGV[5], id)
elseif status == 'approved' then
  redis.call('ZADD', KEYS[5], ARGV[6], id)
  redis.call('ZADD', KEYS[11], ARGV[6], id)
  redis.call('HSET', KEYS[3], 'decided_by', 'auto', 'decided_ms', ARGV[6])
else
  redis.call('ZADD', KEYS[6], ARGV[6], id)
  redis.call('ZADD', KEYS[11], ARGV[6], id)
  redis.call('HSET', KEYS[3], 'decided_by', 'auto', 'decided_ms', ARGV[6])
end
if email ~= '' then redis.call('ZADD', KEYS[9], ARGV[6], id) end
if ext_id ~= '' then redis.call('HSET', KEYS[1], ext_id, id) end
if idem_ttl > 0 then
  redis.call('SET', KEYS[2], id, 'EX', idem_ttl)
  if ARGV[17] ~= '' then redis.call('SET', KEYS[13], ARGV[17], 'EX', idem_ttl) end
end
redis.call('XADD', KEYS[8], 'MAXLEN', '~', ARGV[12], '*',
  'type', 'created', 'id', id, 'status', status, 'spam_score', ARGV[5], 'ms', ARGV[6])
return {'new', id, status, repeat_of}
"""

# Decide a pending comment: approve, spam or reject.
#
# KEYS[1] comment hash      KEYS[2] status zset (pending)   KEYS[3] pending-by-score zset
# KEYS[4] status zset (the new status)  KEYS[5] claims zset  KEYS[6] events stream
# KEYS[7] decisions-per-day hash        KEYS[8] approved-authors set
# KEYS[9] decided zset (retention)  KEYS[10] claim-holders hash
# ARGV[1] comment id  ARGV[2] moderator  ARGV[3] new status  ARGV[4] now ms
# ARGV[5] history line (JSON)  ARGV[6] note  ARGV[7] decisions-per-day TTL s
# ARGV[8] events stream approximate max length
# Returns {'ok', status}, {'missing'}, {'decided', status, by} or {'claimed', holder}.
DECIDE = """
local fields = redis.call('HMGET', KEYS[1], 'status', 'decided_by', 'claimed_by',
                          'claim_until_ms', 'created_ms', 'data')
local status = fields[1]
if not status then return {'missing'} end
if status ~= 'pending' then return {'decided', status, fields[2] or ''} end
local now = tonumber(ARGV[4])
local holder = fields[3]
if holder and holder ~= '' and holder ~= ARGV[2] and tonumber(fields[4] or '0') > now then
  return {'claimed', holder}
end
local id = ARGV[1]
local new_status = ARGV[3]
redis.call('ZREM', KEYS[2], id)
redis.call('ZREM', KEYS[3], id)
redis.call('ZREM', KEYS[5], id)
redis.call('HDEL', KEYS[10], id)
redis.call('ZADD', KEYS[4], fields[5], id)
redis.call('ZADD', KEYS[9], ARGV[4], id)
redis.call('HSET', KEYS[1], 'status', new_status, 'decided_by', ARGV[2],
           'decided_ms', ARGV[4], 'note', ARGV[6], 'claimed_by', '', 'claim_until_ms', '0')
local history = redis.call('HGET', KEYS[1], 'history') or ''
redis.call('HSET', KEYS[1], 'history', history .. '\\n' .. ARGV[5])
redis.call('HINCRBY', KEYS[7], ARGV[2], 1)
redis.call('EXPIRE', KEYS[7], ARGV[7])
if new_status == 'approved' then
  local ok, data = pcall(cjson.decode, fields[6])
  if ok and type(data) == 'table' and type(data['author_email']) == 'string'
     and data['author_email'] ~= '' then
    redis.call('SADD', KEYS[8], data['author_email'])
  end
end
redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[8], '*',
  'type', 'decided', 'id', id, 'status', new_status, 'actor', ARGV[2], 'ms', ARGV[4])
return {'ok', new_status}
"""

# Undo a moderator's own latest decision within the undo window: back to pending.
#
# KEYS[1] comment hash  KEYS[2] status zset (pending)  KEYS[3] status zset (approved)
# KEYS[4] status zset (spam)  KEYS[5] status zset (rejected)  KEYS[6] pending-by-score zset
# KEYS[7] events stream  KEYS[8] decided zset
# KEYS[9] decisions-per-day hash of the UTC day [ARGV[5], ARGV[6]) (the caller's guess of
#         the day the decision was made: it no longer counts there)
# ARGV[1] comment id  ARGV[2] moderator  ARGV[3] now ms  ARGV[4] window ms
# ARGV[5] KEYS[9]'s day start ms  ARGV[6] its end ms (exclusive)
# ARGV[7] events stream approximate max length
# ARGV[8] history line (JSON) if it was approved, ARGV[9] if spam, ARGV[10] if rejected
# Returns {'ok', status undone}, {'missing'}, {'pending'}, {'not_yours', by},
# {'too_late', status} or {'stale', decided ms} (the decision was made on another day
# than KEYS[9]'s: nothing changed; call again with that day's hash).
#
# Everything that depends on the status is chosen here, from the status read here: the
# zset the id leaves and the history line.  A status read before the call can be stale
# (a double undo racing a new decision) and would file the comment under two statuses.
UNDO = """
local fields = redis.call('HMGET', KEYS[1], 'status', 'decided_by', 'decided_ms',
                          'spam_score', 'created_ms')
local status = fields[1]
if not status then return {'missing'} end
if status == 'pending' then return {'pending'} end
if fields[2] ~= ARGV[2] then return {'not_yours', fields[2] or ''} end
local decided_ms = tonumber(fields[3] or '0')
if tonumber(ARGV[3]) - decided_ms > tonumber(ARGV[4]) then return {'too_late', status} end
local zsets = {approved = KEYS[3], spam = KEYS[4], rejected = KEYS[5]}
local lines = {approved = ARGV[8], spam = ARGV[9], rejected = ARGV[10]}
if not zsets[status] then return redis.error_reply('UNDO: unknown status ' .. status) end
if decided_ms < tonumber(ARGV[5]) or decided_ms >= tonumber(ARGV[6]) then
  return {'stale', fields[3]}
end
local id = ARGV[1]
redis.call('ZREM', zsets[status], id)
redis.call('ZREM', KEYS[8], id)
redis.call('ZADD', KEYS[2], fields[5], id)
redis.call('ZADD', KEYS[6], fields[4], id)
redis.call('HSET', KEYS[1], 'status', 'pending', 'decided_by', '', 'decided_ms', '0',
           'note', '')
if tonumber(redis.call('HGET', KEYS[9], ARGV[2]) or '0') > 0 then
  redis.call('HINCRBY', KEYS[9], ARGV[2], -1)
end
local history = redis.call('HGET', KEYS[1], 'history') or ''
redis.call('HSET', KEYS[1], 'history', history .. '\\n' .. lines[status])
redis.call('XADD', KEYS[7], 'MAXLEN', '~', ARGV[7], '*',
  'type', 'undone', 'id', id, 'status', 'pending', 'actor', ARGV[2], 'ms', ARGV[3])
return {'ok', status}
"""

# One page of a sorted index, after an opaque cursor (the last member and its score).
#
# KEYS[1] a zset (status index or pending-by-score)
# ARGV[1] '1' for descending order  ARGV[2] page size  ARGV[3] cursor member ('' = start)
# ARGV[4] cursor score  ARGV[5] min score ('-inf')  ARGV[6] max score ('+inf')
# Returns a flat list: member, score, member, score, ...
#
# The cursor stays exact while members come and go: if the cursor's member is still there
# with its score, the page starts after its rank; if it was removed (decided), it is
# re-added for the duration of this atomic script only, to learn where it would sit.
# Both cost O(log N), so a deep page costs what the first does.
PAGE = """
local key = KEYS[1]
local desc = ARGV[1] == '1'
local limit = tonumber(ARGV[2])
local member = ARGV[3]
local start = 0
local function rank(m)
  if desc then return redis.call('ZREVRANK', key, m) end
  return redis.call('ZRANK', key, m)
end
if member ~= '' then
  local cursor_score = tonumber(ARGV[4])
  local current = redis.call('ZSCORE', key, member)
  if current and tonumber(current) == cursor_score then
    start = rank(member) + 1
  elseif not current then
    redis.call('ZADD', key, cursor_score, member)
    start = rank(member)
    redis.call('ZREM', key, member)
  else
    -- the member moved (decided, then undone with another score): start after its old
    -- score, without the tie-break among equal scores
    if desc then
      start = redis.call('ZCOUNT', key, '(' .. ARGV[4], '+inf')
    else
      start = redis.call('ZCOUNT', key, '-inf', '(' .. ARGV[4])
    end
  end
else
  -- the first page of a score range starts at the range's edge
  if desc and ARGV[6] ~= '+inf' then
    start = redis.call('ZCOUNT', key, '(' .. ARGV[6], '+inf')
  elseif not desc and ARGV[5] ~= '-inf' then
    start = redis.call('ZCOUNT', key, '-inf', '(' .. ARGV[5])
  end
end
local items
if desc then
  items = redis.call('ZREVRANGE', key, start, start + limit - 1, 'WITHSCORES')
else
  items = redis.call('ZRANGE', key, start, start + limit - 1, 'WITHSCORES')
end
-- drop what lies past the range's far edge
local lo = tonumber(ARGV[5] == '-inf' and '-1e308' or ARGV[5])
local hi = tonumber(ARGV[6] == '+inf' and '1e308' or ARGV[6])
local out = {}
for i = 1, #items, 2 do
  local s = tonumber(items[i + 1])
  if s >= lo and s <= hi then
    out[#out + 1] = items[i]
    out[#out + 1] = items[i + 1]
  end
end
return out
"""

# Claim candidate comments for one moderator, skipping any that another moderator holds
# or that were decided since the caller read them.
#
# KEYS[1] claims zset  KEYS[2] events stream  KEYS[3] claim-holders hash
# KEYS[4..] comment hashes of the candidates
# ARGV[1] moderator  ARGV[2] now ms  ARGV[3] lease ms  ARGV[4] how many at most
# ARGV[5] events stream approximate max length  ARGV[6] history line (JSON) for a claim
# ARGV[7..] candidate ids, as KEYS[4..]
# Returns the claimed ids, in the candidates' order.
#
# Expired leases are trimmed first, and a lease counts only while it lasts, so a crashed
# moderator's comments come back by themselves without any sweeper.
CLAIM = """
local now = tonumber(ARGV[2])
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
for first = 1, #expired, 1000 do  -- unpack() has a limit: HDEL in chunks
  redis.call('HDEL', KEYS[3], unpack(expired, first, math.min(first + 999, #expired)))
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
-- Every hint entry has its claim in the zset; more entries than claims means some were
-- left by an older release's DECIDE (rolling upgrade): drop those once.
if redis.call('HLEN', KEYS[3]) > redis.call('ZCARD', KEYS[1]) then
  for _, id in ipairs(redis.call('HKEYS', KEYS[3])) do
    if not redis.call('ZSCORE', KEYS[1], id) then redis.call('HDEL', KEYS[3], id) end
  end
end
local until_ms = now + tonumber(ARGV[3])
local want = tonumber(ARGV[4])
local got = {}
for i = 4, #KEYS do
  if #got >= want then break end
  local id = ARGV[i + 3]
  local fields = redis.call('HMGET', KEYS[i], 'status', 'claimed_by', 'claim_until_ms')
  local free = (not fields[2]) or fields[2] == '' or fields[2] == ARGV[1]
               or tonumber(fields[3] or '0') <= now
  if fields[1] == 'pending' and free then
    redis.call('ZADD', KEYS[1], until_ms, id)
    redis.call('HSET', KEYS[3], id, ARGV[1])
    redis.call('HSET', KEYS[i], 'claimed_by', ARGV[1], 'claim_until_ms', until_ms)
    -- a renewal by the holder is not news: only a new claim enters history and stream
    if fields[2] ~= ARGV[1] or tonumber(fields[3] or '0') <= now then
      local history = redis.call('HGET', KEYS[i], 'history') or ''
      redis.call('HSET', KEYS[i], 'history', history .. '\\n' .. ARGV[6])
      redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*',
        'type', 'claimed', 'id', id, 'actor', ARGV[1], 'ms', ARGV[2])
    end
    got[#got + 1] = id
  end
end
return got
"""

# The comments other moderators hold now, as far as the claim-holders hint knows: claim
# leaves them out of its candidates, so claiming costs the same however many comments
# other moderators hold (a claim without a known holder is left to CLAIM to judge).
#
# KEYS[1] claims zset  KEYS[2] claim-holders hash
# ARGV[1] moderator  ARGV[2] now ms
# Returns {number of live claims whose holder the hint does not know, {ids}}: claims
# taken before the hint existed (or by an older release during a rolling upgrade), for
# which the caller must still leave room when it reads candidates.
CLAIMED_BY_OTHERS = """
local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[2], '+inf')
local others, unknown = {}, 0
for first = 1, #live, 1000 do
  local chunk = {unpack(live, first, math.min(first + 999, #live))}
  local holders = redis.call('HMGET', KEYS[2], unpack(chunk))
  for j = 1, #chunk do
    if not holders[j] then
      unknown = unknown + 1
    elseif holders[j] ~= ARGV[1] then
      others[#others + 1] = chunk[j]
    end
  end
end
return {unknown, others}
"""

# Release a claim the moderator holds.
#
# KEYS[1] comment hash  KEYS[2] claims zset  KEYS[3] events stream
# KEYS[4] claim-holders hash
# ARGV[1] comment id  ARGV[2] moderator  ARGV[3] now ms  ARGV[4] events max length
# ARGV[5] history line (JSON)
# ARGV[6] the lease end the caller was given ('' = whichever lease the moderator holds)
# Returns {'ok'}, {'missing'}, {'not_yours', holder} or {'kept'} (the moderator renewed
# the claim since, e.g. from another tab or a reloaded page: that claim stays).
RELEASE = """
local fields = redis.call('HMGET', KEYS[1], 'status', 'claimed_by', 'claim_until_ms')
if not fields[1] then return {'missing'} end
local holder = fields[2] or ''
if holder == '' or tonumber(fields[3] or '0') <= tonumber(ARGV[3]) then return {'ok'} end
if holder ~= ARGV[2] then return {'not_yours', holder} end
if ARGV[6] ~= '' and ARGV[6] ~= fields[3] then return {'kept'} end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('HSET', KEYS[1], 'claimed_by', '', 'claim_until_ms', '0')
local history = redis.call('HGET', KEYS[1], 'history') or ''
redis.call('HSET', KEYS[1], 'history', history .. '\\n' .. ARGV[5])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*',
  'type', 'released', 'id', ARGV[1], 'actor', ARGV[2], 'ms', ARGV[3])
return {'ok'}
"""

# Take one token from each of several token buckets, all or none.
#
# KEYS[1..] bucket hashes (fields: tokens, ts)
# ARGV[1] now ms  then, per bucket in KEYS order: refill per ms, burst
# Returns {1, 0, 0} if allowed, else {0, ms until a token is back in the emptiest
# bucket, its position in KEYS}.
#
# A bucket expires once it would be full again, so idle senders cost no memory.
TAKE_TOKENS = """
local now = tonumber(ARGV[1])
local levels = {}
local wait, emptiest = 0, 0
for i = 1, #KEYS do
  local rate = tonumber(ARGV[i * 2])
  local burst = tonumber(ARGV[i * 2 + 1])
  local state = redis.call('HMGET', KEYS[i], 'tokens', 'ts')
  local tokens = tonumber(state[1] or burst)
  local ts = tonumber(state[2] or now)
  tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
  levels[i] = tokens
  if tokens < 1 then
    local this_wait = math.ceil((1 - tokens) / rate)
    if this_wait > wait then wait, emptiest = this_wait, i end
  end
end
if wait > 0 then return {0, wait, emptiest} end
for i = 1, #KEYS do
  local rate = tonumber(ARGV[i * 2])
  local burst = tonumber(ARGV[i * 2 + 1])
  local tokens = levels[i] - 1
  redis.call('HSET', KEYS[i], 'tokens', tostring(tokens), 'ts', tostring(now))
  redis.call('PEXPIRE', KEYS[i], math.ceil((burst - tokens) / rate) + 1000)
end
return {1, 0, 0}
"""

# Remove an author's personal data from one comment, keeping the comment, its status and
# its history (which holds no personal data: actors are sites, models and moderators).
#
# KEYS[1] comment hash  KEYS[2] decided zset  KEYS[3] events stream
# ARGV[1] comment id  ARGV[2] actor  ARGV[3] now ms  ARGV[4] history line (JSON)
# ARGV[5] events stream approximate max length  ARGV[6..] names of the personal fields
# Returns 1 if the comment was changed, 0 if it is gone or held nothing to erase.
# Either way the id leaves the decided zset: retention has nothing left to do for it.
ERASE = """
redis.call('ZREM', KEYS[2], ARGV[1])
local raw = redis.call('HGET', KEYS[1], 'data')
if not raw then return 0 end
local data = cjson.decode(raw)
local changed = false
for i = 6, #ARGV do
  local name = ARGV[i]
  if data[name] ~= nil and data[name] ~= cjson.null and data[name] ~= '' then
    data[name] = nil
    changed = true
  end
end
if not changed then return 0 end
data['erased'] = true
-- cjson turns an empty array into {}; reasons must stay a list for readers
local encoded = cjson.encode(data):gsub('"reasons":{}', '"reasons":[]')
local history = redis.call('HGET', KEYS[1], 'history') or ''
redis.call('HSET', KEYS[1], 'data', encoded, 'history', history .. '\\n' .. ARGV[4])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*',
  'type', 'erased', 'id', ARGV[1], 'actor', ARGV[2], 'ms', ARGV[3])
return 1
"""

# Delete a spam comment for good (retention), with every index entry pointing at it.
#
# KEYS[1] comment hash  KEYS[2] status zset (spam)  KEYS[3] external-id hash
# KEYS[4] author zset   KEYS[5] decided zset        KEYS[6] events stream
# ARGV[1] comment id  ARGV[2] external id ('' = none)  ARGV[3] now ms
# ARGV[4] events stream approximate max length
# Returns 1 if deleted, 0 if it is gone or no longer spam (an undo raced us).
PURGE_SPAM = """
if redis.call('HGET', KEYS[1], 'status') ~= 'spam' then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
if ARGV[2] ~= '' and redis.call('HGET', KEYS[3], ARGV[2]) == ARGV[1] then
  redis.call('HDEL', KEYS[3], ARGV[2])
end
redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[4], '*',
  'type', 'purged', 'id', ARGV[1], 'actor', 'retention', 'ms', ARGV[3])
return 1
"""
