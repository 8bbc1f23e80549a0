/**
 * HandoffCore.track / settled: what shutdown waits for before the store closes (work started
 * by queued events, buyer turns and sweeps, which nobody awaits).
 */
import { createAgentRegistry } from '../../src/handoff/agents';
import { HandoffCore } from '../../src/handoff/core';
import { createMemoryStore } from '../../src/store';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('HandoffCore.settled', () => {
  const core = new HandoffCore({ store: createMemoryStore({}), agents: createAgentRegistry([]) });

  it('resolves at once with nothing under way', async () => {
    await core.settled();
  });

  it('waits for tracked work, failed work and work that tracked work started', async () => {
    const done: string[] = [];
    void core.track(sleep(30).then(() => done.push('slow')));
    core.track(sleep(10).then(() => Promise.reject(new Error('routing failed')))).catch(() => done.push('failed'));
    void core.track(
      sleep(5).then(() => {
        // Started later by tracked work: a routing that starts a clock.
        void core.track(sleep(50).then(() => done.push('started by it')));
      }),
    );
    await core.settled();
    expect(done.sort()).toEqual(['failed', 'slow', 'started by it']);
  });

  it('returns the work it tracks', async () => {
    await expect(core.track(Promise.resolve(7))).resolves.toBe(7);
  });
});
