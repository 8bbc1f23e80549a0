/**
 * Redis key layout. Every key starts with the store prefix; the part in braces is the Redis
 * Cluster hash tag, so keys sharing a tag live in one slot and one Lua script or MULTI may
 * touch them together:
 *
 *   <p>:{conv:<id>}:state          string  ConversationState JSON
 *   <p>:{conv:<id>}:log            list    StoredMessage JSON, index = seq - 1
 *   <p>:{conv:<id>}:dedupe         hash    "c:<clientId>" | "o:<op id>" → seq   (idempotent appends)
 *   <p>:{buyer:<id>}:session       string  BuyerSession JSON
 *   <p>:{convs}:status             hash    conversation id → status: written by older versions on
 *                                          every save; now only read (listConversations) and
 *                                          cleared by retention. {handoff}:status lists them all.
 *   <p>:{handoff}:queue            zset    conversation id, score = priority rank · 1e13 + enqueued ms
 *   <p>:{handoff}:entries          hash    conversation id → QueueEntry JSON
 *   <p>:{handoff}:assigned:<agent> set     conversation ids the agent holds (same slot as the
 *                                          queue: claimNext moves an id from one to the other)
 *   <p>:{handoff}:call:<call id>   string  what claimNext took for that call, TTL 10 min (a
 *                                          resent claim returns it instead of claiming again)
 *   <p>:{handoff}:status           hash    conversation id → status: the authoritative status,
 *                                          in the queue's slot so one script keeps "queued iff
 *                                          in the queue" (getConversation lays it over the state)
 *   <p>:{handoff}:holder           hash    conversation id → agent holding it (status 'agent')
 *   <p>:{agents}:presence          hash    agent id → AgentPresence JSON
 *   <p>:{agents}:leases            zset    agent id, score = presence lease expiry ms
 *   <p>:{agents}:call:<call id>    string  leases takeExpiredLeases took for that call, TTL 10 min
 *   <p>:{timers}:due               zset    timer key, score = dueAt ms
 *   <p>:{timers}:data              hash    timer key → Timer JSON
 *   <p>:{timers}:call:<call id>    string  timers takeDueTimers took for that call, TTL 10 min
 *   <p>:{scripts}:seq              string  last version number
 *   <p>:{scripts}:versions         hash    version → ScriptVersion JSON
 *   <p>:{scripts}:active           string  active version
 *   <p>:{scripts}:audit            list    audit entries JSON, newest first
 *   <p>:{scripts}:drafts           hash    script file path → ScriptDraft JSON (unpublished edits)
 *   <p>:{rate:<key>}               string  hit counter with the window as its TTL
 *   <p>:{seen:<key>}               string  a replay-guard key (firstSeen), with its TTL
 *   <p>:{lock:<key>}               string  lock holder's token, TTL = lease
 *   <p>:bus:<channel>              pub/sub channel (not a key): PUBLISH on single Redis / Sentinel
 *   <p>:bus:{<channel>}            sharded pub/sub channel (SPUBLISH) on Redis 7 Cluster: the
 *                                  channel's own slot, so conversation channels ("conv:<id>")
 *                                  share their conversation's slot and spread over the shards
 *
 * The prefix must not contain braces, or the hash tag would be taken from the prefix.
 */

export interface KeyLayout {
  prefix: string;
  convState(id: string): string;
  convLog(id: string): string;
  convDedupe(id: string): string;
  buyerSession(buyerId: string): string;
  /** Legacy status index (read only, see above). */
  statusIndex: string;
  queue: string;
  queueEntries: string;
  assigned(agentId: string): string;
  claimCall(callId: string): string;
  handoffStatus: string;
  holder: string;
  /** `assigned(agentId)` without the agent id, for scripts that pick the agent at run time. */
  assignedPrefix: string;
  presence: string;
  leases: string;
  leaseCall(callId: string): string;
  timersDue: string;
  timersData: string;
  timersCall(callId: string): string;
  scriptSeq: string;
  scriptVersions: string;
  scriptActive: string;
  audit: string;
  drafts: string;
  rate(key: string): string;
  seen(key: string): string;
  lock(key: string): string;
  channel(name: string): string;
  shardChannel(name: string): string;
}

/** Builds the key names for one prefix. Throws on a prefix that would break hash tags. */
export function keyLayout(prefix: string): KeyLayout {
  // "kefu:" and "kefu" mean the same; the layout adds the separator itself.
  const p = prefix.replace(/:+$/, '');
  if (p === '' || /[{}\s]/.test(p)) {
    throw new Error(`Redis key prefix must be non-empty without braces or spaces: ${JSON.stringify(prefix)}`);
  }
  return {
    prefix: p,
    convState: (id) => `${p}:{conv:${id}}:state`,
    convLog: (id) => `${p}:{conv:${id}}:log`,
    convDedupe: (id) => `${p}:{conv:${id}}:dedupe`,
    buyerSession: (id) => `${p}:{buyer:${id}}:session`,
    statusIndex: `${p}:{convs}:status`,
    queue: `${p}:{handoff}:queue`,
    queueEntries: `${p}:{handoff}:entries`,
    assigned: (agentId) => `${p}:{handoff}:assigned:${agentId}`,
    claimCall: (callId) => `${p}:{handoff}:call:${callId}`,
    handoffStatus: `${p}:{handoff}:status`,
    holder: `${p}:{handoff}:holder`,
    assignedPrefix: `${p}:{handoff}:assigned:`,
    presence: `${p}:{agents}:presence`,
    leases: `${p}:{agents}:leases`,
    leaseCall: (callId) => `${p}:{agents}:call:${callId}`,
    timersDue: `${p}:{timers}:due`,
    timersData: `${p}:{timers}:data`,
    timersCall: (callId) => `${p}:{timers}:call:${callId}`,
    scriptSeq: `${p}:{scripts}:seq`,
    scriptVersions: `${p}:{scripts}:versions`,
    scriptActive: `${p}:{scripts}:active`,
    audit: `${p}:{scripts}:audit`,
    drafts: `${p}:{scripts}:drafts`,
    rate: (key) => `${p}:{rate:${key}}`,
    seen: (key) => `${p}:{seen:${key}}`,
    lock: (key) => `${p}:{lock:${key}}`,
    channel: (name) => `${p}:bus:${name}`,
    shardChannel: (name) => `${p}:bus:{${name}}`,
  };
}

/**
 * The hash tag Redis Cluster would hash for `key` (the whole key when it has none), following
 * the cluster spec: the text between the first '{' and the next '}', if that is non-empty.
 */
export function hashTag(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return key;
  return key.slice(open + 1, close);
}
