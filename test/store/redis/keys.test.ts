/** Redis key layout: what must share a Cluster slot does, and prefixes cannot break hash tags. */
import { hashTag, keyLayout } from '../../../src/store';

const k = keyLayout('kefu');

it('puts every key of one conversation under the tag {conv:<id>}', () => {
  for (const id of ['c1', 'a:b', 'weird}id']) {
    const tags = new Set([k.convState(id), k.convLog(id), k.convDedupe(id)].map(hashTag));
    expect(tags.size).toBe(1);
  }
  expect(hashTag(k.convLog('c1'))).toBe('conv:c1');
  expect(hashTag(k.convLog('c1'))).not.toBe(hashTag(k.convLog('c2')));
});

it('keeps the keys each Lua script touches together in one slot', () => {
  // claimNext moves a conversation from the queue to an agent's set.
  expect(new Set([k.queue, k.queueEntries, k.assigned('xiaomei'), k.assigned('ajie')].map(hashTag))).toEqual(new Set(['handoff']));
  expect(new Set([k.queue, k.queueEntries, k.claimCall('call-1')].map(hashTag))).toEqual(new Set(['handoff']));
  expect(new Set([k.timersDue, k.timersData, k.timersCall('call-1')].map(hashTag))).toEqual(new Set(['timers']));
  // takeExpiredLeases drops a lease and marks the agent offline in one script.
  expect(new Set([k.presence, k.leases, k.leaseCall('call-1')].map(hashTag))).toEqual(new Set(['agents']));
  expect(new Set([k.scriptSeq, k.scriptVersions, k.scriptActive, k.audit].map(hashTag))).toEqual(new Set(['scripts']));
});

it("gives a conversation's sharded bus channel the conversation's own slot", () => {
  expect(hashTag(k.shardChannel('conv:c1'))).toBe(hashTag(k.convState('c1')));
  expect(hashTag(k.shardChannel('conv:c1'))).not.toBe(hashTag(k.shardChannel('conv:c2')));
  // Plain PUBLISH channels keep their old names (single Redis, Sentinel).
  expect(k.channel('conv:c1')).toBe('kefu:bus:conv:c1');
});

it('gives rate-limit counters and locks a slot per key, so they spread over the cluster', () => {
  expect(hashTag(k.rate('buyer:b1'))).toBe('rate:buyer:b1');
  expect(hashTag(k.lock('turn:c1'))).toBe('lock:turn:c1');
});

it('refuses prefixes that would take over the hash tag', () => {
  expect(() => keyLayout('a{b}')).toThrow(/prefix/);
  expect(() => keyLayout('')).toThrow(/prefix/);
  expect(() => keyLayout('has space')).toThrow(/prefix/);
  expect(keyLayout('kefu-test-1').queue).toBe('kefu-test-1:{handoff}:queue');
  expect(keyLayout('kefu:').queue).toBe('kefu:{handoff}:queue');
});

it('reads hash tags the way Redis Cluster does', () => {
  expect(hashTag('plain')).toBe('plain');
  expect(hashTag('a{}b{c}')).toBe('a{}b{c}'); // empty first tag: the whole key is hashed
  expect(hashTag('a{b}{c}')).toBe('b');
});
