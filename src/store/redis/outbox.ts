/**
 * The acts outbox on Redis. All keys share the `{outbox}` hash tag (one Cluster slot), so
 * adding an act is one atomic script:
 *
 *   <p>:{outbox}:data            hash  act id → OutboxAct JSON
 *   <p>:{outbox}:due             zset  act id, score = next attempt ms (only acts still 'sent')
 *   <p>:{outbox}:conv:<conv id>  list  act ids of one conversation, in the order added
 */
import type { Cluster, Redis } from 'ioredis';
import type { OutboxAct } from '../types';

type Client = Redis | Cluster;

/** HSETNX the entry; when new, index it for delivery and for its conversation. Returns 1 when added. */
const ADD = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
if ARGV[4] == 'sent' then redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1]) end
redis.call('RPUSH', KEYS[3], ARGV[1])
return 1`;

/** Replaces an existing entry and keeps the due index in step with its state. */
const UPDATE = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[4] == 'sent' then redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1]) else redis.call('ZREM', KEYS[2], ARGV[1]) end
return 1`;

/** Drops every act of one conversation (retention): KEYS data, due, the conversation's list. Returns how many. */
const REMOVE_CONVERSATION = `
local ids = redis.call('LRANGE', KEYS[3], 0, -1)
for _, id in ipairs(ids) do
  redis.call('HDEL', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
end
redis.call('DEL', KEYS[3])
return #ids`;

export class RedisOutbox {
  private readonly data: string;
  private readonly dueKey: string;
  private readonly convPrefix: string;

  constructor(
    private readonly client: Client,
    prefix: string,
  ) {
    this.data = `${prefix}:{outbox}:data`;
    this.dueKey = `${prefix}:{outbox}:due`;
    this.convPrefix = `${prefix}:{outbox}:conv:`;
  }

  async add(act: OutboxAct): Promise<boolean> {
    const added = await this.client.eval(
      ADD,
      3,
      this.data,
      this.dueKey,
      this.convPrefix + act.conversationId,
      act.id,
      JSON.stringify(act),
      act.nextAttemptAt,
      act.state,
    );
    return Number(added) === 1;
  }

  async update(act: OutboxAct): Promise<void> {
    await this.client.eval(UPDATE, 2, this.data, this.dueKey, act.id, JSON.stringify(act), act.nextAttemptAt, act.state);
  }

  async get(id: string): Promise<OutboxAct | null> {
    const json = await this.client.hget(this.data, id);
    return json === null ? null : (JSON.parse(json) as OutboxAct);
  }

  async due(now: number, limit = 100): Promise<OutboxAct[]> {
    const ids = await this.client.zrangebyscore(this.dueKey, '-inf', now, 'LIMIT', 0, limit);
    return this.many(ids);
  }

  async removeConversation(conversationId: string): Promise<void> {
    await this.client.eval(REMOVE_CONVERSATION, 3, this.data, this.dueKey, this.convPrefix + conversationId);
  }

  async list(conversationId: string): Promise<OutboxAct[]> {
    return this.many(await this.client.lrange(this.convPrefix + conversationId, 0, -1));
  }

  private async many(ids: string[]): Promise<OutboxAct[]> {
    if (ids.length === 0) return [];
    const rows = await this.client.hmget(this.data, ...ids);
    return rows.flatMap((json) => (json === null ? [] : [JSON.parse(json) as OutboxAct]));
  }
}
