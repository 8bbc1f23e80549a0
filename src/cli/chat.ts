/**
 * `npm run chat`: talk to the bot in a terminal. One buyer message per line on stdin; the
 * bot's replies and handoffs are printed as they happen. Works with piped input and exits at
 * end of input. With --json, one JSON object per event:
 *   {"type":"message","from":"bot","text","intent","category","offer"?,"quickReplies"?}
 *   {"type":"handoff","reason","priority","summary","suggestions":[{"text","reason"}]}
 *   {"type":"act","kind","id","at",…the act's own fields} for every act the buyer confirmed
 *     (e.g. {"type":"act","kind":"deal","price":404,…}; see src/model/acts.ts)
 * Options: --product ID (the product page the buyer is on), --buyer ID (demo buyer, default
 * B008, a new buyer), --no-greet. There is no agent here, so after a handoff the
 * conversation returns to the bot and the chat goes on. SHOP_DIR (as for the server) reads the
 * shop's YAML from another folder than demo/shop. With SHOP_API_URL set, shop data comes from
 * that shop API (docs/shop-api.md) instead; if it fails, the holding reply and a handoff are
 * printed, as the server would do.
 */
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { describeAct, type Act } from '../model/acts';
import { createEngine } from '../dialogue/engine';
import type { HandoffInfo } from '../model/conversation';
import type { BotReply } from '../dialogue/types';
import { buildScriptBundle, loadScriptFiles } from '../scripts/bundle';
import { connectShop } from '../shop/connect';
import { orderNumbersIn } from '../shop/snapshot';

interface ChatArgs {
  json: boolean;
  productId?: string;
  buyerId: string;
  greet: boolean;
}

function parseArgs(argv: string[]): ChatArgs {
  const args: ChatArgs = { json: false, buyerId: 'B008', greet: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--no-greet') args.greet = false;
    else if (a === '--product' || a === '--buyer') {
      const v = argv[++i];
      if (!v) throw new Error(`${a} needs a value`);
      if (a === '--product') args.productId = v;
      else args.buyerId = v;
    } else if (a?.startsWith('--product=')) args.productId = a.slice('--product='.length);
    else if (a?.startsWith('--buyer=')) args.buyerId = a.slice('--buyer='.length);
    else throw new Error(`unknown option ${a}; use --json, --product ID, --buyer ID, --no-greet`);
  }
  return args;
}

async function main(): Promise<void> {
  let args: ChatArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  const root = join(__dirname, '..', '..');
  const { bundle, errors } = buildScriptBundle(loadScriptFiles(root));
  if (!bundle) {
    for (const e of errors) process.stderr.write(`${e.file}:${e.line}${e.column ? `:${e.column}` : ''} ${e.reason}\n`);
    process.exit(1);
  }
  const shopApiUrl = process.env['SHOP_API_URL'];
  const { adapter, scope } = await connectShop({
    shopDir: process.env['SHOP_DIR'] ?? join(root, 'demo', 'shop'),
    ...(shopApiUrl ? { shopApi: { url: shopApiUrl, timeoutMs: 2000, readRetries: 1, liveTtlMs: 10_000, catalogueTtlMs: 300_000 } } : {}),
  });
  const shop = scope.shop;
  const products = await adapter.products();
  if (args.productId && !products.some((p) => p.id === args.productId)) {
    process.stderr.write(`unknown product ${args.productId}; known: ${products.map((p) => p.id).join(', ')}\n`);
    process.exit(2);
  }
  if (!(await adapter.buyer(args.buyerId))) {
    const known = adapter.buyers ? (await adapter.buyers()).map((b) => b.id).join(', ') : '(the shop API does not list buyers)';
    process.stderr.write(`unknown buyer ${args.buyerId}; known: ${known}\n`);
    process.exit(2);
  }
  const turnShop = (c: typeof conv) => ({
    buyerId: c.buyerId,
    ...(c.productId ? { productId: c.productId } : {}),
    ...(c.orderId ? { orderNumbers: [c.orderId] } : {}),
  });
  const engine = createEngine({ shop, getScripts: () => bundle });
  let conv = await scope.runLenient({ buyerId: args.buyerId, ...(args.productId ? { productId: args.productId } : {}) }, () =>
    engine.openConversation({
      id: `chat-${process.pid}`,
      buyerId: args.buyerId,
      shopId: 'demo',
      ...(args.productId ? { productId: args.productId } : {}),
    }),
  );

  const printReply = (r: BotReply): void => {
    if (args.json) {
      const event: Record<string, unknown> = { type: 'message', from: 'bot', text: r.text, intent: r.intent, category: r.category };
      if (r.offer !== undefined) event['offer'] = r.offer;
      if (r.quickReplies) event['quickReplies'] = r.quickReplies;
      process.stdout.write(`${JSON.stringify(event)}\n`);
    } else {
      process.stdout.write(`客服: ${r.text}${r.quickReplies ? `   [${r.quickReplies.join(' | ')}]` : ''}\n`);
    }
  };
  const printHandoff = (h: HandoffInfo): void => {
    if (args.json) {
      const event = {
        type: 'handoff',
        reason: h.reason,
        priority: h.priority,
        summary: h.summary,
        suggestions: h.suggestions.map((s) => ({ text: s.text, reason: s.reason })),
      };
      process.stdout.write(`${JSON.stringify(event)}\n`);
    } else {
      process.stdout.write(`--- handoff (${h.reason}, ${h.priority}): ${h.summary}\n`);
      h.suggestions.forEach((s, i) => process.stdout.write(`    ${i + 1}. ${s.text}  (${s.reason})\n`));
    }
  };

  const printAct = (a: Act): void => {
    if (args.json) process.stdout.write(`${JSON.stringify({ type: 'act', ...a })}\n`);
    else process.stdout.write(`--- 已记录 ${describeAct(a)}\n`);
  };

  if (args.greet) (await scope.runLenient(turnShop(conv), () => engine.greet(conv))).forEach(printReply);
  const rl = createInterface({ input: process.stdin, terminal: false });
  let turns = Promise.resolve();
  const handleLine = async (line: string): Promise<void> => {
    const text = line.trim();
    if (text === '') return;
    let result: ReturnType<typeof engine.handleMessage>;
    try {
      result = await scope.run({ ...turnShop(conv), orderNumbers: [...orderNumbersIn(text), ...(conv.orderId ? [conv.orderId] : [])] }, () =>
        engine.handleMessage(conv, text),
      );
    } catch (err) {
      // The shop system did not answer: what the server does (holding reply, then a person).
      printReply(engine.holdingReply());
      printHandoff({
        reason: 'error',
        priority: 'high',
        summary: `shop unavailable: ${(err as Error).message}`,
        suggestions: [],
        at: new Date().toISOString(),
      });
      return;
    }
    for (const r of result.replies) printReply(r);
    for (const a of result.acts ?? []) printAct(a);
    if (result.handoff) printHandoff(result.handoff);
    conv = result.conversation;
    if (conv.status === 'queued') {
      // No agent in a terminal: hand the conversation back to the bot.
      conv = { ...conv, status: 'bot' };
      delete conv.handoff;
    }
  };
  rl.on('line', (line) => {
    turns = turns.then(() => handleLine(line));
  });
  rl.on('close', () => void turns.then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
