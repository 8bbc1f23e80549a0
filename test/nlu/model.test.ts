/**
 * The trained model beyond a single label: calibrated probability and action, clarify options,
 * context for short fragments, a shop's extra lines, the model as plain data (cache, worker).
 * Trained on the intent files only (no corpus), so the figures do not move with the corpus.
 */
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { modelFromData, trainModel, understand, type NluModel } from '../../src/nlu';
import { loadIntentsDir } from '../../src/nlu/load';
import { decodeModelData, encodeModelData, readCachedModel, writeCachedModel } from '../../src/nlu/model-cache';
import { answerThreshold } from '../../src/nlu/calibration';
import { trainModelInWorker } from '../../src/nlu/train-worker';

const { intents, dictionary } = loadIntentsDir(join(__dirname, '..', '..', 'intents'));
let model: NluModel;

beforeAll(() => {
  model = trainModel(intents, dictionary);
});

describe('action', () => {
  it('answers a plain, clear question and carries a calibrated probability', () => {
    const u = understand(model, '能便宜点吗');
    expect(u.category).toBe('haggle');
    expect(u.action).toBe('answer');
    expect(u.probability).toBeGreaterThanOrEqual(answerThreshold(model.calibration, 'haggle'));
    expect(u.options).toEqual([]);
  });

  it('never answers a message read as other', () => {
    for (const text of ['啊', '嗯嗯嗯那个', 'asdfgh']) {
      const u = understand(model, text);
      if (u.category === 'other') expect(u.action).not.toBe('answer');
    }
  });

  it('offers two or three likely intents of distinct categories when it clarifies', () => {
    // Thresholds come from held-out data, so find clarified messages rather than assume one.
    const texts = ['这个怎么弄', '那个东西呢', '上次说的那个', '一开就跳闸', '我这边有问题', '能不能快点', '有没有别的'];
    const clarified = texts.map((t) => understand(model, t)).filter((u) => u.action === 'clarify');
    expect(clarified.length).toBeGreaterThan(0);
    for (const u of clarified) {
      expect(u.options?.length).toBeGreaterThanOrEqual(2);
      expect(u.options?.length).toBeLessThanOrEqual(3);
      const cats = (u.options ?? []).map((o) => o.category);
      expect(new Set(cats).size).toBe(cats.length);
      expect(cats).not.toContain('other');
      expect(cats).not.toContain('greeting');
    }
  });
});

describe('context', () => {
  it('reads a short fragment in the light of the active flow', () => {
    const alone = understand(model, '那要几天');
    const inReturn = understand(model, '那要几天', { activeFlow: 'return.refund' });
    expect(inReturn.category).toBe('return');
    expect(inReturn.usedContext).toBe(alone.category !== 'return');
    const inDelivery = understand(model, '那要几天', { pendingQuestion: 'delivery' });
    expect(inDelivery.category).toBe('delivery');
  });

  it('leaves longer messages and greetings as they are', () => {
    const text = '收到的杯子碎了一个，我要退货退款';
    expect(understand(model, text, { activeFlow: 'haggle.bargain' }).intent).toBe(understand(model, text).intent);
    expect(understand(model, '好的谢谢', { activeFlow: 'return.refund' }).category).toBe('greeting');
  });

  it('after the bot named a price, a bare yes accepts it (haggle); otherwise it stays an acknowledgement', () => {
    const afterPrice = understand(model, '行', { lastBotMove: 'haggle.bargain/concession' });
    expect(afterPrice.category).toBe('haggle');
    expect(afterPrice.usedContext).toBe(true);
    expect(understand(model, '行', { lastBotMove: 'payment.pay/list_price' }).category).toBe('haggle');
    expect(understand(model, '行', { lastBotMove: 'delivery.tracking/latest' }).category).toBe('greeting');
    expect(understand(model, '便宜点', { lastBotMove: 'payment.pay/list_price' }).category).toBe('haggle');
  });

  it('leans a fragment toward the order or product in focus without overriding a clear reading', () => {
    const alone = understand(model, '还没到');
    const withOrder = understand(model, '还没到', { orderInFocus: '240512345678' });
    expect(withOrder.category).toBe('delivery');
    const delivery = (u: typeof alone): number => u.ranking.find((r) => r.intent === 'delivery.tracking')?.confidence ?? 0;
    expect(delivery(withOrder)).toBeGreaterThanOrEqual(delivery(alone));
    // A focus is a weak hint: a clear reading and a bare acknowledgement stay as they are.
    expect(understand(model, '能便宜点吗', { orderInFocus: '240512345678' }).category).toBe('haggle');
    expect(understand(model, '好的', { orderInFocus: '240512345678' }).category).toBe('greeting');
    expect(understand(model, '多大', { productInFocus: 'p1' }).category).toBe('product');
  });

  it('ignores a passive flow (a greeting is nothing to lean on)', () => {
    expect(understand(model, '嗯', { activeFlow: 'greeting.hello' })).toEqual(understand(model, '嗯'));
  });

  it('keeps the old call shape', () => {
    expect(understand(model, '快递到哪了').usedContext).toBe(false);
  });
});

describe('extra lines from a shop', () => {
  it('teaches a phrase the intent files do not have', () => {
    const phrase = '咕噜噜机的滤网怎么拆';
    const extra = ['咕噜噜机的滤网怎么拆下来洗', '咕噜噜机滤网在哪拆', '咕噜噜机的滤网要怎么取出来', '咕噜噜机滤网拆装方法'].map((text) => ({
      text,
      label: 'product.info',
      theme: 'shop/test',
    }));
    const taught = trainModel(intents, dictionary, { extra, calibration: false, kind: 'linear' });
    expect(understand(taught, phrase).intent).toBe('product.info');
    expect(understand(taught, phrase).confidence).toBeGreaterThan(
      understand(trainModel(intents, dictionary, { calibration: false, kind: 'linear' }), phrase).confidence,
    );
  });
});

describe('the model as plain data', () => {
  const texts = ['老板能不能再便宜二十', '鞋码小了，给我换个大一号的', '快递停在中转站三天不动了', '亲在吗'];

  it('round-trips through the cache file format with the same answers', () => {
    const back = modelFromData(intents, dictionary, decodeModelData(encodeModelData(model.data)));
    for (const t of texts) expect(understand(back, t)).toEqual(understand(model, t));
  });

  it('stores and finds a model in a cache directory, and ignores a damaged file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nlu-cache-'));
    try {
      writeCachedModel(dir, 'k1', model.data);
      expect(readCachedModel(dir, 'k1')?.calibration).toEqual(model.data.calibration);
      expect(readCachedModel(dir, 'missing')).toBeUndefined();
      require('node:fs').writeFileSync(join(dir, 'k2.nlu'), Buffer.from([1, 0, 0, 0, 0x7b]));
      expect(readCachedModel(dir, 'k2')).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('trains in a worker thread to the same model as in-process', async () => {
    const options = { calibration: false as const, kind: 'ensemble' as const, augmentSeed: 7 };
    const inWorker = await trainModelInWorker(intents, dictionary, options);
    const here = trainModel(intents, dictionary, options);
    for (const t of texts) expect(understand(inWorker, t).ranking).toEqual(understand(here, t).ranking);
  });
});
