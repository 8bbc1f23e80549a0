/** The store contract on the real Redis at 127.0.0.1:6379, under a fresh key prefix per test. */
import { Redis } from 'ioredis';
import { describeStoreContract } from './contract';
import { redisHarness } from './redis-harness';

const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const harness = redisHarness({ url }, 'single');
describeStoreContract('redis', harness);

it('leaves no keys behind under the prefixes it used', async () => {
  const admin = new Redis(url);
  try {
    expect(harness.used.length).toBeGreaterThan(20);
    for (const prefix of harness.used) expect(await admin.keys(`${prefix}:*`)).toEqual([]);
  } finally {
    await admin.quit();
  }
});
