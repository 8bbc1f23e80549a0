import { createHmac } from 'node:crypto';
import { signShopBuyer, verifyShopBuyer } from '../../src/transport/shop-identity';

const SECRET = 'a-shop-secret-of-at-least-32-characters';

describe('shop buyer signatures', () => {
  it('is the hex HMAC-SHA256 of the buyer id, as a shop server computes it', () => {
    const expected = createHmac('sha256', SECRET).update('B002').digest('hex');
    expect(signShopBuyer(SECRET, 'B002')).toBe(expected);
    expect(verifyShopBuyer(SECRET, 'B002', expected)).toBe(true);
    expect(verifyShopBuyer(SECRET, 'B002', expected.toUpperCase())).toBe(true);
    expect(verifyShopBuyer(SECRET, '李娜', signShopBuyer(SECRET, '李娜'))).toBe(true);
  });

  it('refuses another id, another secret, a truncated or padded or non-hex signature', () => {
    const sig = signShopBuyer(SECRET, 'B002');
    expect(verifyShopBuyer(SECRET, 'B001', sig)).toBe(false);
    expect(verifyShopBuyer(`${SECRET}x`, 'B002', sig)).toBe(false);
    expect(verifyShopBuyer(SECRET, 'B002', sig.slice(0, 62))).toBe(false);
    expect(verifyShopBuyer(SECRET, 'B002', `${sig}00`)).toBe(false);
    expect(verifyShopBuyer(SECRET, 'B002', `${sig.slice(0, 63)}g`)).toBe(false);
    expect(verifyShopBuyer(SECRET, 'B002', '')).toBe(false);
  });
});
