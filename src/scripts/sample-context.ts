/**
 * A sample render context for the template preview in the script editor: every variable
 * the intent documents gets a plausible value (from the shop's own data where there is
 * one), so a manager sees each variant as a buyer would, including the optional parts.
 * The manager may override any value. These are preview values, never sent to a buyer.
 */
import { productVars, shopVars } from '../dialogue/policy';
import type { ShopData } from '../shop/types';
import type { VariableSet } from '../replies/variables';

type Ctx = Record<string, unknown>;

const SAMPLE_ADDRESS = {
  recipient: '王小明',
  phone: '13812345678',
  province: '浙江省',
  city: '杭州市',
  district: '西湖区',
  detail: '文三路 90 号',
};

/** A value for one documented variable, guessed from its name. */
function guess(key: string, now: Date): unknown {
  const leaf = key.split('.').pop() ?? key;
  if (/address$/i.test(leaf)) return { ...SAMPLE_ADDRESS };
  if (leaf === 'now') return now.toISOString();
  if (/(At|By)$/.test(leaf)) return new Date(now.getTime() + 3 * 3600_000).toISOString();
  if (/^(returning|inStock|freeShipping|shopPaysShipping|electronic|paper)$/.test(leaf)) return true;
  if (/(price|Price|total|fee|Fee|offer|counter|deal|floor|From)$/.test(leaf)) return 299;
  if (/(days|Days|Hours|Left|stock|returnDays)$/.test(leaf)) return 3;
  if (leaf === 'cutoff') return '16:00';
  if (leaf === 'carrier') return '顺丰速运';
  if (leaf === 'trackingNumber') return 'SF1234567890';
  if (leaf === 'number') return 'E1001';
  if (leaf === 'size') return 'L';
  if (leaf === 'color') return '黑色';
  if (/Sizes$|^sizes$/.test(leaf)) return 'M/L/XL';
  if (/Colors$|^colors$/.test(leaf)) return '黑色/白色';
  if (leaf === 'description') return '示例说明';
  if (leaf === 'name') return '示例';
  return `示例${leaf}`;
}

function setPath(ctx: Ctx, key: string, value: unknown): void {
  const parts = key.split('.');
  let node: Ctx = ctx;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Ctx;
  }
  const last = parts[parts.length - 1] as string;
  // An object documented as a whole ("order") keeps the fields set through its children.
  if (typeof node[last] === 'object' && node[last] !== null && typeof value !== 'object') return;
  if (node[last] === undefined) node[last] = value;
}

function deepMerge(base: Ctx, over: Ctx): Ctx {
  const out: Ctx = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? deepMerge(b as Ctx, v as Ctx)
        : v;
  }
  return out;
}

/** Shop-derived values for the common variables (name, policy, featured product). */
export function shopSample(shop: ShopData | undefined): Ctx {
  if (!shop) return {};
  const p = shop.policy;
  const product = shop.featuredProduct();
  const ctx: Ctx = {
    shop: shopVars(p),
    invoice: { electronic: p.invoice.electronic, paper: p.invoice.paper, days: p.invoice.daysToIssue },
  };
  if (product) ctx.product = productVars(product);
  return ctx;
}

/**
 * The context for previewing templates of one intent: shop values, then a guess for every
 * remaining documented variable, then the manager's overrides.
 */
export function sampleContext(vars: VariableSet, now: Date, shopValues: Ctx, overrides: Ctx): Ctx {
  const ctx = deepMerge({}, shopValues);
  // Parents before children so "order" becomes an object that "order.number" fills in.
  for (const key of Object.keys(vars).sort((a, b) => a.split('.').length - b.split('.').length)) {
    const leaf = key.split('.').pop() ?? key;
    const isObject = /\(object\)/.test(vars[key]?.description ?? '') && !/address$/i.test(leaf);
    setPath(ctx, key, isObject ? {} : guess(key, now));
  }
  const order = ctx.order as Ctx | undefined;
  if (order && !order.items) order.items = [{ name: (ctx.product as Ctx | undefined)?.name ?? '示例商品', color: '黑色', size: 'L', quantity: 1 }];
  return deepMerge(ctx, overrides);
}
