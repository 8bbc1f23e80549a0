/** What a waiting buyer is told, and what counts as a callback contact or a withdrawal (src/handoff/waiting.ts). */
import { contactIn, meansWithdraw } from '../../src/handoff/waiting';
import { businessHoursAt } from '../../src/shop/hours';

const policy = { businessHours: { open: '09:00', close: '23:00' }, utcOffsetMinutes: 480 };
/** An instant at shop wall-clock `hh:mm` (UTC+8) on 2026-05-06. */
const shop = (hhmm: string) => new Date(`2026-05-06T${hhmm}:00.000+08:00`);

describe('business hours (shop wall clock)', () => {
  it('is open from opening up to, not including, closing', () => {
    expect(businessHoursAt(policy, shop('09:00')).open).toBe(true);
    expect(businessHoursAt(policy, shop('22:59')).open).toBe(true);
    expect(businessHoursAt(policy, shop('23:00')).open).toBe(false);
  });

  it('says when people are back: today before opening, tomorrow after closing', () => {
    expect(businessHoursAt(policy, shop('02:00')).backAt?.toISOString()).toBe(shop('09:00').toISOString());
    expect(businessHoursAt(policy, shop('23:30')).backAt?.toISOString()).toBe(new Date('2026-05-07T09:00:00.000+08:00').toISOString());
    expect(businessHoursAt(policy, shop('02:00')).hours).toBe('09:00-23:00');
  });

  it('without business hours the shop is always open', () => {
    expect(businessHoursAt({ utcOffsetMinutes: 480 }, shop('03:00'))).toEqual({ open: true });
  });
});

describe('callback contact', () => {
  it('finds a mobile number or a WeChat id, and nothing in plain text', () => {
    expect(contactIn('我手机138-1234-5678，回个电话')).toEqual({ phone: '13812345678' });
    expect(contactIn('加我微信：nuanyang_88')).toEqual({ wechat: 'nuanyang_88' });
    expect(contactIn('vx号 abc123456 或者 13912345678')).toEqual({ phone: '13912345678', wechat: 'abc123456' });
    expect(contactIn('什么时候发货')).toBeUndefined();
    expect(contactIn('订单号 E1001')).toBeUndefined();
  });
});

describe('withdrawal while queued', () => {
  const r = (intent: string, ranking: [string, number][]) => ({ intent, ranking: ranking.map(([i, confidence]) => ({ intent: i, confidence })) });
  it('counts human.withdraw, and thanks with human.withdraw as a weighty runner-up', () => {
    expect(meansWithdraw(r('human.withdraw', [['human.withdraw', 0.9]]))).toBe(true);
    expect(
      meansWithdraw(
        r('greeting.thanks', [
          ['greeting.thanks', 0.7],
          ['human.withdraw', 0.2],
        ]),
      ),
    ).toBe(true);
    expect(
      meansWithdraw(
        r('greeting.thanks', [
          ['greeting.thanks', 0.97],
          ['other.fallback', 0.01],
        ]),
      ),
    ).toBe(false);
    expect(
      meansWithdraw(
        r('greeting.thanks', [
          ['greeting.thanks', 0.99],
          ['human.withdraw', 0.002],
        ]),
      ),
    ).toBe(false);
    expect(
      meansWithdraw(
        r('delivery.ship_time', [
          ['delivery.ship_time', 0.6],
          ['human.withdraw', 0.3],
        ]),
      ),
    ).toBe(false);
  });
});
