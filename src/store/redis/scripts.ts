/**
 * Lua scripts for the operations that must be atomic when several processes race. Each script
 * touches keys of one hash tag only (see ./keys.ts), so it runs on one Cluster slot.
 */
import { createHash } from 'node:crypto';

export interface LuaScript {
  name: string;
  lua: string;
  sha: string;
}

function script(name: string, lua: string): LuaScript {
  return { name, lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/**
 * KEYS: log, dedupe. ARGV: dedupe key ("c:<clientId>" or "o:<op id>"), message JSON without seq.
 * Returns the stored JSON; the earlier one when the dedupe key was seen before (a repeated
 * clientId, or the same op resent by the client library after a reconnect).
 */
export const APPEND_MESSAGE = script(
  'appendMessage',
  `
local seen = redis.call('HGET', KEYS[2], ARGV[1])
if seen then
  return redis.call('LINDEX', KEYS[1], tonumber(seen) - 1)
end
local seq = redis.call('LLEN', KEYS[1]) + 1
local stored = '{"seq":' .. seq .. ',' .. string.sub(ARGV[2], 2)
redis.call('RPUSH', KEYS[1], stored)
redis.call('HSET', KEYS[2], ARGV[1], seq)
return stored
`,
);

/**
 * One bot turn on the conversation's slot: the new state and the turn's messages.
 * KEYS: state, log, dedupe. ARGV: state JSON, then pairs of dedupe key ("o:<op id>") and
 * message JSON without seq. Returns the stored messages' JSON; a message whose op id was seen
 * (the whole script resent after a reconnect) returns the one stored the first time.
 */
export const COMMIT_TURN = script(
  'commitTurn',
  `
redis.call('SET', KEYS[1], ARGV[1])
local out = {}
for i = 2, #ARGV, 2 do
  local seen = redis.call('HGET', KEYS[3], ARGV[i])
  if seen then
    out[#out + 1] = redis.call('LINDEX', KEYS[2], tonumber(seen) - 1)
  else
    local seq = redis.call('LLEN', KEYS[2]) + 1
    local stored = '{"seq":' .. seq .. ',' .. string.sub(ARGV[i + 1], 2)
    redis.call('RPUSH', KEYS[2], stored)
    redis.call('HSET', KEYS[3], ARGV[i], seq)
    out[#out + 1] = stored
  end
end
return out
`,
);

/**
 * An entry kept in a sorted index plus a hash of its JSON (the handoff queue, SLA timers).
 * KEYS: zset, hash. ARGV: member, score, JSON.
 */
export const INDEXED_PUT = script(
  'indexedPut',
  `
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return 1
`,
);

/** Removes an INDEXED_PUT entry. KEYS: zset, hash. ARGV: member. Returns 1 when it was there. */
export const INDEXED_REMOVE = script(
  'indexedRemove',
  `
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return removed
`,
);

/**
 * KEYS: queue zset, entries hash, the agent's assigned set, the call's result key. ARGV: max
 * load, conversation id or '', call memory ms. Takes the head of the queue (or that
 * conversation) if the agent has capacity, moves it to the agent's set and returns its entry
 * JSON; nil otherwise. What a call took is kept under its call key, so the same call resent
 * by the client after a dropped connection returns it instead of claiming a second entry (a
 * call that took nothing may run again: its caller never got anything).
 */
export const CLAIM_NEXT = script(
  'claimNext',
  `
local taken = redis.call('GET', KEYS[4])
if taken then return taken end
if redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[1]) then return false end
local id
if ARGV[2] ~= '' then
  if redis.call('ZSCORE', KEYS[1], ARGV[2]) then id = ARGV[2] end
else
  id = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
end
if not id then return false end
local entry = redis.call('HGET', KEYS[2], id)
redis.call('ZREM', KEYS[1], id)
redis.call('HDEL', KEYS[2], id)
redis.call('SADD', KEYS[3], id)
if redis.call('HEXISTS', KEYS[5], id) == 1 then
  redis.call('HSET', KEYS[5], id, 'agent')
  redis.call('HSET', KEYS[6], id, ARGV[4])
end
redis.call('SET', KEYS[4], entry, 'PX', ARGV[3])
return entry
`,
);

/**
 * The handoff invariant (src/store/handoff-state.ts) for one conversation: makes the queue and
 * the assignments match its status, and records the status and holder. KEYS: queue zset,
 * entries hash, status hash, holder hash, assigned-set prefix. ARGV: conversation id, status,
 * holder agent id ('' unless status is 'agent'), queue entry JSON and score (used when it must
 * join the queue and has no entry yet).
 */
export const SET_HANDOFF_STATE = script(
  'setHandoffState',
  `
local id, status, agent = ARGV[1], ARGV[2], ARGV[3]
local old = redis.call('HGET', KEYS[4], id)
if old and (status ~= 'agent' or old ~= agent) then redis.call('SREM', KEYS[5] .. old, id) end
if status == 'agent' then
  redis.call('SADD', KEYS[5] .. agent, id)
  redis.call('HSET', KEYS[4], id, agent)
else
  redis.call('HDEL', KEYS[4], id)
end
if status == 'queued' then
  if not redis.call('ZSCORE', KEYS[1], id) then
    redis.call('ZADD', KEYS[1], ARGV[5], id)
    redis.call('HSET', KEYS[2], id, ARGV[4])
  end
else
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
end
redis.call('HSET', KEYS[3], id, status)
return 1
`,
);

/**
 * A conversation removed by retention, from the handoff slot: queue entry, status, holder and
 * the holder's set. KEYS: queue zset, entries hash, status hash, holder hash, assigned-set
 * prefix. ARGV: conversation id.
 */
export const FORGET_HANDOFF = script(
  'forgetHandoff',
  `
local id = ARGV[1]
local holder = redis.call('HGET', KEYS[4], id)
if holder then redis.call('SREM', KEYS[5] .. holder, id) end
redis.call('HDEL', KEYS[4], id)
redis.call('HDEL', KEYS[3], id)
redis.call('ZREM', KEYS[1], id)
redis.call('HDEL', KEYS[2], id)
return 1
`,
);

/**
 * KEYS: queue zset, entries hash, status hash. ARGV: conversation id, score, entry JSON. Adds
 * or re-prioritises, unless the conversation is known and not queued (returns 0 then).
 */
export const ENQUEUE = script(
  'enqueue',
  `
local st = redis.call('HGET', KEYS[3], ARGV[1])
if st and st ~= 'queued' then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return 1
`,
);

/**
 * KEYS: queue zset, entries hash, status hash. ARGV: conversation id. Removes the entry; a
 * queued conversation taken out of the queue is back with the bot. Returns 1 when it was there.
 */
export const DEQUEUE = script(
  'dequeue',
  `
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
if removed == 1 and redis.call('HGET', KEYS[3], ARGV[1]) == 'queued' then
  redis.call('HSET', KEYS[3], ARGV[1], 'bot')
end
return removed
`,
);

/**
 * KEYS: assigned-set prefix, status hash, holder hash, queue zset, entries hash. ARGV: agent
 * id, conversation id. The agent holds the conversation: a known conversation is with that
 * agent from now on (out of the queue, out of any other agent's set).
 */
export const ASSIGN = script(
  'assign',
  `
local agent, id = ARGV[1], ARGV[2]
if redis.call('HEXISTS', KEYS[2], id) == 1 then
  local old = redis.call('HGET', KEYS[3], id)
  if old and old ~= agent then redis.call('SREM', KEYS[1] .. old, id) end
  redis.call('HSET', KEYS[2], id, 'agent')
  redis.call('HSET', KEYS[3], id, agent)
  redis.call('ZREM', KEYS[4], id)
  redis.call('HDEL', KEYS[5], id)
end
redis.call('SADD', KEYS[1] .. agent, id)
return 1
`,
);

/**
 * KEYS: as ASSIGN. ARGV: agent id, conversation id, queue entry JSON, score. The agent lets go;
 * a conversation this agent held waits in the queue again rather than with nobody.
 */
export const UNASSIGN = script(
  'unassign',
  `
local agent, id = ARGV[1], ARGV[2]
redis.call('SREM', KEYS[1] .. agent, id)
if redis.call('HGET', KEYS[3], id) == agent then
  redis.call('HDEL', KEYS[3], id)
  redis.call('HSET', KEYS[2], id, 'queued')
  if not redis.call('ZSCORE', KEYS[4], id) then
    redis.call('ZADD', KEYS[4], ARGV[4], id)
    redis.call('HSET', KEYS[5], id, ARGV[3])
  end
end
return 1
`,
);

/**
 * KEYS: due zset, data hash, the call's result key. ARGV: now ms, limit, call memory ms.
 * Removes and returns due timers' JSON, oldest first; a resent call returns what it took the
 * first time (see CLAIM_NEXT).
 */
export const TAKE_DUE_TIMERS = script(
  'takeDueTimers',
  `
local taken = redis.call('GET', KEYS[3])
if taken then return cjson.decode(taken) end
local keys = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for i, key in ipairs(keys) do
  local data = redis.call('HGET', KEYS[2], key)
  redis.call('ZREM', KEYS[1], key)
  redis.call('HDEL', KEYS[2], key)
  if data then out[#out + 1] = data end
end
if #out > 0 then redis.call('SET', KEYS[3], cjson.encode(out), 'PX', ARGV[3]) end
return out
`,
);

/**
 * KEYS: leases zset. ARGV: agent id, expiry ms. Raises the agent's lease to the expiry (never
 * lowers it). Returns 1 when the agent had a lease, 0 when this one is new.
 */
export const RENEW_LEASE = script(
  'renewLease',
  `
local current = redis.call('ZSCORE', KEYS[1], ARGV[1])
if (not current) or tonumber(current) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
end
if current then return 1 end
return 0
`,
);

/**
 * KEYS: leases zset, presence hash, the call's result key. ARGV: now ms, limit, since (ISO
 * time), call memory ms. Removes the leases that expired at or before now, marks those agents
 * offline (unless they are), and returns [agent id, expiry, …]. A resent call returns what it
 * took the first time (see CLAIM_NEXT).
 */
export const TAKE_EXPIRED_LEASES = script(
  'takeExpiredLeases',
  `
local taken = redis.call('GET', KEYS[3])
if taken then return cjson.decode(taken) end
local rows = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for i = 1, #rows, 2 do
  local id = rows[i]
  redis.call('ZREM', KEYS[1], id)
  local json = redis.call('HGET', KEYS[2], id)
  if json and cjson.decode(json).status ~= 'offline' then
    redis.call('HSET', KEYS[2], id, cjson.encode({ agentId = id, status = 'offline', since = ARGV[3] }))
  end
  out[#out + 1] = id
  out[#out + 1] = rows[i + 1]
end
if #out > 0 then redis.call('SET', KEYS[3], cjson.encode(out), 'PX', ARGV[4]) end
return out
`,
);

/** KEYS: seq, versions hash. ARGV: version JSON without "version". Returns the stored JSON. */
export const SAVE_SCRIPT_VERSION = script(
  'saveScriptVersion',
  `
local v = redis.call('INCR', KEYS[1])
local stored = '{"version":' .. v .. ',' .. string.sub(ARGV[1], 2)
redis.call('HSET', KEYS[2], v, stored)
return stored
`,
);

/** KEYS: versions hash, active. ARGV: version. Returns 0 when that version does not exist. */
export const SET_ACTIVE = script(
  'setActive',
  `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('SET', KEYS[2], ARGV[1])
return 1
`,
);

/** KEYS: counter. ARGV: window ms. Fixed window: the first hit starts the window. */
export const RATE_HIT = script(
  'rateHit',
  `
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
`,
);

/** KEYS: lock. ARGV: token. Deletes the lock only if we still hold it. */
export const RELEASE_LOCK = script(
  'releaseLock',
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
);

/** KEYS: lock. ARGV: token, ttl ms. Extends the lease only if we still hold it. */
export const RENEW_LOCK = script(
  'renewLock',
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`,
);
