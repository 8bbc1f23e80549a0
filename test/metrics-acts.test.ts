/** Acts confirmed by buyers are counted by kind on /metrics (wired as the engine's onActs). */
import { createEngine } from '../src/dialogue/engine';
import { countActs, createMetrics } from '../src/metrics';
import { demoShop, NOW, shippedBundle } from './dialogue/fixtures';

test('each act the engine records is counted once, by kind', async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  const shop = demoShop();
  const bundle = shippedBundle();
  const engine = createEngine({ shop, getScripts: () => bundle, clock: () => NOW, random: () => 0, onActs: (acts) => countActs(metrics, acts) });
  let conv = engine.openConversation({ id: 'm1', buyerId: 'B003', shopId: 'demo' });
  for (const text of ['可以货到付款吗', '确认货到付款', '确认货到付款']) conv = engine.handleMessage(conv, text).conversation;
  const text = await metrics.render();
  expect(text).toMatch(/kefu_acts_total\{kind="cod"\} 1\b/);
  expect(conv.acts?.map((a) => a.kind)).toEqual(['cod']);
});
