/**
 * Messages that name no product: greetings, thanks, irritation, asking for a person,
 * fragments, pasted cards, and the logistics / address / payment / price talk every shop
 * gets. Hand-written lines plus small grammars (openings × cores × endings), family `general`.
 */
import { Rng } from './rng';
import { address, COURIERS, orderId, person, phone, tracking, CITIES } from './slots';
import { GENERAL_MORE } from './general-more';
import { Example, L, seeds } from './types';

const HAND = seeds(`
  # greeting.hello
  在吗在吗 => greeting.hello @hello
  有人没 => greeting.hello @hello
  客服小姐姐在吗 => greeting.hello @hello
  老板在不在 => greeting.hello @hello
  哈喽哈喽 => greeting.hello @hello
  亲亲在吗 => greeting.hello @hello
  你好呀客服 => greeting.hello @hello
  早啊 => greeting.hello @hello
  中午好 => greeting.hello @hello
  在线吗亲 => greeting.hello @hello
  嗨，在吗 => greeting.hello @hello
  掌柜的在么 => greeting.hello @hello
  你好，打扰一下 => greeting.hello @hello
  您好，想咨询点事 => greeting.hello @hello
  在的话回我一下 => greeting.hello @hello
  有客服在线吗 => greeting.hello @hello
  你好你好 => greeting.hello @hello
  喂喂，有人吗 => greeting.hello @hello
  新年好呀 => greeting.hello @hello
  亲，打扰了 => greeting.hello @hello
  # greeting.thanks (thanks, praise, closings)
  好的呢 => greeting.thanks @thanks
  行，知道了 => greeting.thanks @thanks
  那我等着 => greeting.thanks @thanks
  好的好的，谢谢你 => greeting.thanks @thanks
  明白啦 => greeting.thanks @thanks
  谢谢啦 => greeting.thanks @thanks
  感谢感谢 => greeting.thanks @thanks
  多谢亲 => greeting.thanks @thanks
  好嘞，辛苦了 => greeting.thanks @thanks
  没什么问题了 => greeting.thanks @thanks
  没啥事了，拜拜 => greeting.thanks @thanks
  嗯嗯好 => greeting.thanks @thanks
  ok的谢谢 => greeting.thanks @thanks
  好吧好吧 => greeting.thanks @thanks
  可以可以 => greeting.thanks @thanks
  就这样吧，谢了 => greeting.thanks @thanks
  好的，我晚点再看 => greeting.thanks @thanks
  收到，谢谢客服 => greeting.thanks @thanks
  东西很好，下次还来你家 => greeting.thanks @praise
  一直在你家买，放心 => greeting.thanks @praise
  客服态度真好，点赞 => greeting.thanks @praise
  你们服务很周到，谢谢 => greeting.thanks @praise
  问题解决了，太感谢了 => greeting.thanks @praise
  东西收到了，很满意 => greeting.thanks @praise
  包装很用心，谢谢 => greeting.thanks @praise
  发货好快，昨天拍今天就到了 => greeting.thanks @praise
  辛苦小哥哥了 => greeting.thanks @thanks
  麻烦你了啊 => greeting.thanks @thanks
  好滴亲，拜拜 => greeting.thanks @thanks
  懂了懂了 => greeting.thanks @thanks
  嗯，那先这样 => greeting.thanks @thanks
  哦哦，原来是这样 => greeting.thanks @thanks
  行吧，谢谢你 => greeting.thanks @thanks
  谢谢你这么耐心 => greeting.thanks @praise
  # bad_review.complaint: irritation without the cue words, and a few threats
  说了半天还是这样 => bad_review.complaint @irritation
  问了三遍了都没人正面回答 => bad_review.complaint @irritation
  你们到底能不能处理 => bad_review.complaint @irritation
  每次都让我等，等到什么时候 => bad_review.complaint @irritation
  这都第几次了 => bad_review.complaint @irritation
  回个话很难吗 => bad_review.complaint @irritation
  能不能别复读了 => bad_review.complaint @irritation
  别再发一样的话了 => bad_review.complaint @irritation
  你们客服是摆设吗 => bad_review.complaint @irritation
  到底有没有人管 => bad_review.complaint @irritation
  跟你们说话真累 => bad_review.complaint @irritation
  什么都解决不了，要客服有什么用 => bad_review.complaint @irritation
  你是听不懂我说的话吗 => bad_review.complaint @irritation
  答非所问 => bad_review.complaint @irritation
  一直在绕圈子 => bad_review.complaint @irritation
  天天说在处理，处理到哪了 => bad_review.complaint @irritation
  能不能给个准话 => bad_review.complaint @irritation
  上次说给我回电话，电话呢 => bad_review.complaint @irritation
  耐心都被你们磨没了 => bad_review.complaint @irritation
  我真的很生气 => bad_review.complaint @irritation
  太让人失望了 => bad_review.complaint @irritation
  你们就是这么做生意的？ => bad_review.complaint @irritation
  一点诚意都没有 => bad_review.complaint @irritation
  说好的承诺呢 => bad_review.complaint @irritation
  又是这套话术 => bad_review.complaint @irritation
  算我倒霉，碰上你们家 => bad_review.complaint @irritation
  我算是看透你们了 => bad_review.complaint @irritation
  这服务真让人无语 => bad_review.complaint @irritation
  拖了一个星期了，还要拖多久 => bad_review.complaint @irritation
  同样的问题我要说几遍 => bad_review.complaint @irritation
  你们是不是故意的 => bad_review.complaint @irritation
  能不能认真看看我说的 => bad_review.complaint @irritation
  每次找你们都是这个结果 => bad_review.complaint @irritation
  我等你们回复等了两天 => bad_review.complaint @irritation
  别跟我说抱歉了，说点有用的 => bad_review.complaint @irritation
  道歉有什么用，问题还在 => bad_review.complaint @irritation
  就会说亲亲请耐心等待 => bad_review.complaint @irritation
  换了三个客服说法都不一样 => bad_review.complaint @irritation
  到底谁能负责 => bad_review.complaint @irritation
  再拖下去我就去平台申诉了 => bad_review.complaint @irritation
  你们这样真的很过分 => bad_review.complaint @irritation
  一开始说得好好的，收了钱就不管了 => bad_review.complaint @irritation
  客服回消息要半天 => bad_review.complaint @irritation
  我不想再听解释了 => bad_review.complaint @irritation
  你们自己看看聊天记录，说了多少遍了 => bad_review.complaint @irritation
  受够了 => bad_review.complaint @irritation
  真是服了你们了 => bad_review.complaint @irritation
  无语死了 => bad_review.complaint @irritation
  我的时间不是时间吗 => bad_review.complaint @irritation
  每次都是明天明天，明天是哪天 => bad_review.complaint @irritation
  今天不给结果我就去12315 => bad_review.complaint @threat
  差评写好了，你们看着办 => bad_review.complaint @threat
  不解决就等着收一星吧 => bad_review.complaint @threat
  我已经在平台投诉了 => bad_review.complaint @threat
  追评我会把经过都写上 => bad_review.complaint @threat
  再这样我就打消费者热线了 => bad_review.complaint @threat
  # human.request
  转人工 谢谢 => human.request @human
  人工客服在哪 => human.request @human
  怎么转人工啊 => human.request @human
  按哪个键转人工 => human.request @human
  让人工客服联系我 => human.request @human
  给我转个真人 => human.request @human
  不要自动回复 => human.request @human
  别让机器人回了 => human.request @human
  换个人工来 => human.request @human
  有真人客服吗 => human.request @human
  我要跟人工说 => human.request @human
  转接人工服务 => human.request @human
  人工人工 => human.request @human
  找活人 => human.request @human
  你是机器人吧，换个人 => human.request @human
  机器人听不懂，人工呢 => human.request @human
  能不能让真人回我 => human.request @human
  人工客服几点上班 => human.request @human
  请安排人工客服 => human.request @human
  叫个客服过来 => human.request @human
  要人工处理 => human.request @human
  我不想和自动回复聊 => human.request @human
  麻烦转一下人工 => human.request @human
  转人工客服，谢谢 => human.request @human
  有没有人工啊 => human.request @human
  真人在吗 => human.request @human
  售后人工在吗 => human.request @human
  找个懂的人来 => human.request @human
  # other.fallback
  [图片] => other.fallback @fragment
  [视频] => other.fallback @fragment
  [语音] => other.fallback @fragment
  [商品卡片] => other.fallback @fragment
  https://item.jd.com/100012345678.html => other.fallback @fragment
  https://m.tb.cn/h.5abcDE => other.fallback @fragment
  那个呢 => other.fallback @fragment
  不是那个 => other.fallback @fragment
  我说的是另一个 => other.fallback @fragment
  还有那个事 => other.fallback @fragment
  那怎么弄 => other.fallback @fragment
  这个呢 => other.fallback @fragment
  然后 => other.fallback @fragment
  所以呢 => other.fallback @fragment
  啥意思 => other.fallback @fragment
  什么意思啊 => other.fallback @fragment
  你说什么 => other.fallback @fragment
  没看懂 => other.fallback @fragment
  嗯？ => other.fallback @fragment
  ？？？ => other.fallback @fragment
  。 => other.fallback @fragment
  1 => other.fallback @fragment
  a => other.fallback @fragment
  哈哈 => other.fallback @fragment
  嘿嘿 => other.fallback @fragment
  哎 => other.fallback @fragment
  唉 => other.fallback @fragment
  呃 => other.fallback @fragment
  emmm => other.fallback @fragment
  我看看再说 => other.fallback @hesitate
  我问下家里人 => other.fallback @hesitate
  等我想想 => other.fallback @hesitate
  我先逛逛 => other.fallback @hesitate
  我回头再来 => other.fallback @hesitate
  明天再说吧 => other.fallback @hesitate
  我跟老婆商量一下 => other.fallback @hesitate
  先收藏了 => other.fallback @hesitate
  先加个购物车 => other.fallback @hesitate
  我对比一下 => other.fallback @hesitate
  我再考虑考虑 => other.fallback @hesitate
  你吃饭了吗 => other.fallback @offtopic
  你们那边下雨没 => other.fallback @offtopic
  你是哪里人 => other.fallback @offtopic
  你们放假吗 => other.fallback @offtopic
  今天好热 => other.fallback @offtopic
  你们招客服吗 => other.fallback @offtopic
  你们店开了多少年了 => other.fallback @offtopic
  你们有实体店吗 => other.fallback @offtopic
  你们公司叫什么 => other.fallback @offtopic
  我想做你们的代理 => other.fallback @offtopic
  能帮我推荐个好看的电影吗 => other.fallback @offtopic
  你是真人还是AI，好奇问问 => other.fallback @offtopic
  我是来找人的 => other.fallback @offtopic
  我想应聘 => other.fallback @offtopic
  怎么关注店铺 => other.fallback @account
  会员积分在哪里看 => other.fallback @account
  怎么绑定手机号 => other.fallback @account
  登录一直提示验证码错误 => other.fallback @account
  我的账号怎么被限制了 => other.fallback @account
  收藏的店铺找不到了 => other.fallback @account
  浏览记录怎么删 => other.fallback @account
  怎么开通会员 => other.fallback @account
  # payment
  货到付款可以吗 => payment.cod @cod
  能不能先收货再给钱 => payment.cod @cod
  到付现金行不行 => payment.cod @cod
  为什么我这个地址不能货到付款 => payment.cod @cod
  货到付款手续费多少 => payment.cod @cod
  支持货到付款不 => payment.cod @cod
  到付的话要多给多少 => payment.cod @cod
  货到付款能刷卡吗 => payment.cod @cod
  偏远地区能到付吗 => payment.cod @cod
  # haggle, with prices as buyers write them
  三百六行不行 => haggle.bargain @haggle
  3百6卖吗 => haggle.bargain @haggle
  380包邮 => haggle.bargain @haggle
  三百八十块包邮就买 => haggle.bargain @haggle
  ３６０可以吗 => haggle.bargain @haggle
  能不能便宜个二三十 => haggle.bargain @haggle
  再让一点吧 => haggle.bargain @haggle
  零头抹了吧 => haggle.bargain @haggle
  给个实在价 => haggle.bargain @haggle
  最低能到多少 => haggle.bargain @haggle
  有没有优惠卷 => haggle.bargain @haggle
  优惠劵怎么领 => haggle.bargain @haggle
  店铺券领不了 => haggle.bargain @haggle
  满减还有吗 => haggle.bargain @haggle
  别人家便宜好几十 => haggle.bargain @haggle
  人家拼多多才卖一半 => haggle.bargain @haggle
  直播间价格能给吗 => haggle.bargain @haggle
  有老客户优惠吗 => haggle.bargain @haggle
  新人券还能用吗 => haggle.bargain @haggle
  能不能送个小礼品 => haggle.bargain @haggle
  运费能免了吗 => haggle.bargain @haggle
  包个邮呗 => haggle.bargain @haggle
  什么时候降价 => haggle.bargain @haggle
  双十一会更便宜吗 => haggle.bargain @haggle
  我等618再买会便宜吗 => haggle.bargain @haggle
  今天下单有什么优惠 => haggle.bargain @haggle
  批量采购有折扣吗 => haggle.bargain @haggle
  团购价多少 => haggle.bargain @haggle
  学生有优惠不 => haggle.bargain @haggle
  太贵了，买不起 => haggle.bargain @haggle
  # short follow-ups: the category an agent would most likely act on (guide rule 5)
  那XXL呢 => product.size_color @followup
  M码呢 => product.size_color @followup
  L的呢 => product.size_color @followup
  大一码呢 => product.size_color @followup
  那我穿多大 => product.size_color @followup
  那几天能到 => delivery.ship_time @followup
  那什么时候发 => delivery.ship_time @followup
  今天能发不 => delivery.ship_time @followup
  发了没 => delivery.ship_time @followup
  寄出了吗 => delivery.ship_time @followup
  到了吗 => delivery.tracking @followup
  现在到哪了 => delivery.tracking @followup
  那单号呢 => delivery.tracking @followup
  单号发我 => delivery.tracking @followup
  那就退了吧 => return.refund @followup
  那退款吧 => return.refund @followup
  钱什么时候退回来 => return.refund @followup
  那换一个吧 => return.exchange @followup
  那给我换个新的 => return.exchange @followup
  还能再少吗 => haggle.bargain @followup
  再便宜点呗 => haggle.bargain @followup
  那包邮吗 => haggle.bargain @followup
  那能开票吗 => payment.invoice @followup
  那怎么付 => payment.pay @followup
  那我等着吧 => greeting.thanks @followup
  好的那我等消息 => greeting.thanks @followup
  行，就这么办 => greeting.thanks @followup
  好了没 => other.fallback @followup
  那怎么办 => other.fallback @followup
  然后呢？ => other.fallback @followup
  还有别的吗 => other.fallback @followup
  那这个呢 => other.fallback @followup
  是吗 => other.fallback @followup
  真的假的 => other.fallback @followup
  为什么 => other.fallback @followup
  你确定？ => other.fallback @followup
  # greetings in many spellings
  nihao => greeting.hello @hello
  在哇 => greeting.hello @hello
  在否 => greeting.hello @hello
  有人在线不 => greeting.hello @hello
  客服在线吗 => greeting.hello @hello
  哈罗 => greeting.hello @hello
  您好您好 => greeting.hello @hello
  晚上好呀客服 => greeting.hello @hello
  早上好，在吗 => greeting.hello @hello
  你好，我想问个问题 => greeting.hello @hello
  麻烦问一下 => greeting.hello @hello
  打扰一下 => greeting.hello @hello
  亲，你好呀 => greeting.hello @hello
  嗨嗨 => greeting.hello @hello
  在？问一下 => greeting.hello @hello
  喂，在线吗 => greeting.hello @hello
  hello在吗 => greeting.hello @hello
  Hi，有人吗 => greeting.hello @hello
  你好！！ => greeting.hello @hello
  您好～ => greeting.hello @hello
`);

const HELLO = L(
  '你好|您好|在吗|在不在|亲|亲亲|哈喽|hi|hello|老板|掌柜的|小姐姐|小哥哥|有人吗|在线吗|在么|嗨|店家|早上好|下午好|晚上好|客服在吗|老板在吗|亲在吗|请问有人吗|打扰一下|有人在吗|客服|美女|帅哥|店主|喂|哈啰|您好客服|客服您好|在线不',
);
const HELLO_END = L('|？|呀|啊|～|!|??|。|亲|呢|哈|嘛');
const THANKS = L('好的|好滴|嗯嗯|ok|OK|收到|谢谢|多谢|辛苦了|麻烦了|知道了|明白了|行|可以|没问题|那好吧|拜拜|再见|了解|懂了|好嘞|谢啦|感谢|3q|thx');
const THANKS_JOIN = L('|，|！|~|。|，好的|，谢谢|，辛苦|，拜拜|啦|哈|亲|呀|，没别的了');
const IRRITATION_OPEN = L(
  '都三天了，|我真服了，|呵呵，|行吧，|又来了，|拜托，|我说你们，|唉，|喂，|我再说一遍，|不是我说，|你们搞什么，|无语，|服了，|真是的，|我问的不是这个，|第三次问了，|有完没完，|说真的，|客服，',
);
const IRRITATION_CORE = L(
  '说了半天还是这样|到底有没有人管|能不能给个准话|每次都让我等|问了好几遍了|回个消息这么难吗|就知道让我等|一点用都没有|别再复制粘贴了|能不能上点心|你们到底想怎么样|事情一直拖着|跟没说一样|答非所问|处理了个寂寞|等了一上午没人回|你们这服务真让人心寒|一个问题问三遍|推来推去的|能不能别敷衍|说好的回电呢|一直让我等消息|又是这套说辞|你们踢皮球呢|态度太差了|半天不回人|就这么对待老顾客|讲不清楚就别回|还在等你们答复|我耐心有限',
);
const HUMAN_CORE = L('转人工|人工客服|我要人工|找人工|真人客服|换人工|人工服务|转接人工|找个真人|要真人');
const HUMAN_END = L('|！|！！|，谢谢|，快点|，别用机器人|，机器人说不清|吧|啊|呢|，麻烦了|。');
const OTHER_FRAG = L('这个|那个|还有|然后|就是|我想|我要|那|你们|这边|嗯那个|对了|另外|话说|等下|稍等|马上|你看|你先|算了');

function numberWords(n: number): string {
  const d = '零一二三四五六七八九';
  if (n < 10) return d[n] ?? '';
  if (n < 100) return `${n >= 20 ? d[Math.floor(n / 10)] : ''}十${n % 10 ? d[n % 10] : ''}`;
  const h = Math.floor(n / 100);
  const rest = n % 100;
  const hs = h === 2 ? '两' : d[h];
  if (rest === 0) return `${hs}百`;
  if (rest % 10 === 0) return `${hs}百${d[rest / 10]}`;
  if (rest < 10) return `${hs}百零${d[rest]}`;
  return `${hs}百${d[Math.floor(rest / 10)]}十${d[rest % 10]}`;
}

export function generalExamples(rng: Rng): Example[] {
  const out: Example[] = [...HAND, ...GENERAL_MORE].map(([text, intent, s]) => ({ text, intent, theme: `general/${s}`, hand: true }));
  const add = (text: string, intent: string, s: string): void => void out.push({ text, intent, theme: `general/${s}` });
  const take = (n: number, make: () => [string, string, string]): void => {
    const seen = new Set<string>();
    for (let i = 0; i < n * 5 && seen.size < n; i++) {
      const [t, intent, s] = make();
      if (seen.has(t)) continue;
      seen.add(t);
      add(t, intent, s);
    }
  };
  take(220, () => {
    const h = `${rng.pick(HELLO)}${rng.chance(0.3) ? (rng.chance(0.5) ? '，' : ' ') + rng.pick(HELLO) : ''}`;
    // No particle after a question word (有人吗呢).
    const end = /[吗么不]$/.test(h) ? rng.pick(L('|？|??|。|～|!')) : rng.pick(HELLO_END);
    return [h + end, 'greeting.hello', 'hello'];
  });
  take(160, () => [`${rng.pick(THANKS)}${rng.pick(THANKS_JOIN)}${rng.chance(0.3) ? rng.pick(THANKS) : ''}`, 'greeting.thanks', 'thanks']);
  take(240, () => [
    `${rng.chance(0.7) ? rng.pick(IRRITATION_OPEN) : ''}${rng.pick(IRRITATION_CORE)}${rng.pick(L('|！|！！|？|。。|…|吧|啊'))}`,
    'bad_review.complaint',
    'irritation',
  ]);
  take(80, () => [
    `${rng.chance(0.3) ? rng.pick(L('你好，|在吗 |客服，|喂，|亲 ')) : ''}${rng.pick(HUMAN_CORE)}${rng.pick(HUMAN_END)}`,
    'human.request',
    'human',
  ]);
  take(40, () => [`${rng.pick(OTHER_FRAG)}${rng.pick(L('|。|…|，|？|啊|嗯'))}`, 'other.fallback', 'fragment']);

  // Delivery without a product named.
  const SHIP = L(
    '什么时候能发出|今天能发吗|几号发|拍下多久发|能发顺丰吗|发什么快递|从哪发货|能加急吗|能不能明天一早发|预售几号发|能不能送货上门|放快递柜可以吗|能不能别放驿站，送上门|能指定{courier}吗|寄到{city}要几天|我在{city}，几天能到|下午下单今天发不|付款好几天了还不发',
  );
  const TRACK = L(
    '到哪了|我的件到哪了|物流{days}天没更新了|快递卡在{city}好几天|帮我查一下{courier}{track}|单号{track}查不到信息|快递员电话多少|派送中一整天了还没送|催下快递|快递怎么这么慢|是不是寄丢了|显示到{city}了，什么时候派|快递在中转站不动了|能不能让快递员今天送|物流信息一直停在揽收',
  );
  const SIGNED = L(
    '显示签收了可我没收到|我没签收怎么显示已签收|谁帮我签收的|快递柜里没有，显示已取件|驿站说没这个件，物流显示签收|显示本人签收，我没签过|签收了三天我都没见到东西|快递员说放门口了，门口没有',
  );
  const fillG = (t: string): string =>
    t
      .replace(/\{courier\}/g, () => rng.pick(COURIERS))
      .replace(/\{city\}/g, () => rng.pick(CITIES))
      .replace(/\{days\}/g, () => String(rng.int(3, 10)))
      .replace(/\{track\}/g, () => tracking(rng, rng.pick(COURIERS)));
  const ORDER_OPEN = (): string =>
    rng.pick(['', '', '', `订单${orderId(rng)}，`, `订单号${orderId(rng)} `, '我的订单', '我买的东西', '我那单', '上周拍的那个', '刚买的']);
  take(90, () => [`${ORDER_OPEN()}${fillG(rng.pick(SHIP))}`, 'delivery.ship_time', 'ship-time']);
  take(100, () => [`${ORDER_OPEN()}${fillG(rng.pick(TRACK))}`, 'delivery.tracking', 'tracking']);
  take(50, () => [`${ORDER_OPEN()}${fillG(rng.pick(SIGNED))}`, 'delivery.signed_not_received', 'signed-not-received']);

  // Address: change and confirm, with made-up addresses, names and phones.
  const CHANGE = L(
    '地址写错了，改成{addr}|收货地址改一下：{addr}|帮我把地址改成{addr}|电话填错了，应该是{phone}|收件人改成{name}|收件人换成{name}，电话{phone}|地址少写了门牌号，是{addr}|改个地址，还没发吧|地址选成老家的了，麻烦改成{addr}|我搬家了，新地址{addr}|手机号换了，改成{phone}|麻烦把收件电话改成{phone}',
  );
  const CONFIRM = L(
    '地址是{addr}|收件人{name}，电话{phone}，地址{addr}|{name} {phone} {addr}|寄到{addr}|我的地址：{addr}|帮我核对下地址对不对|地址就按订单上的发|收货信息没错吧|确认一下，收件人是{name}|地址：{addr}，电话：{phone}',
  );
  const fillA = (t: string): string => t.replace('{addr}', address(rng)).replace('{name}', person(rng)).replace('{phone}', phone(rng));
  take(90, () => [fillA(rng.pick(CHANGE)), 'address.change', 'address-change']);
  take(70, () => [fillA(rng.pick(CONFIRM)), 'address.confirm', 'address-confirm']);

  // Price offers in the ways buyers write numbers.
  take(120, () => {
    const n = rng.int(2, 99) * 10 + rng.pick([0, 0, 5, 8]);
    const said = rng.pick([
      String(n),
      numberWords(n),
      `${numberWords(n)}块`,
      String(n).replace(/[0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)),
      n >= 100 && n % 10 === 0 && n % 100 !== 0 ? `${Math.floor(n / 100)}百${(n % 100) / 10}` : `${n}元`,
    ]);
    const frame = rng.pick(
      L(
        '{x}行不行|{x}卖不卖|{x}包邮|{x}包邮行吗|{x}就拍|{x}吧，最多了|给你{x}|{x}能出吗|最多{x}|{x}可以的话我就下单|就{x}，不行算了|{x}，成交吧|{x}少一点都不行吗',
      ),
    );
    return [frame.replace('{x}', said), 'haggle.bargain', 'haggle-offer'];
  });

  // Pasted order cards with no question, and with one (rule 4: the question decides).
  take(60, () => [
    `订单号：${orderId(rng)} 下单时间：2026-${rng.int(10, 12)}-${rng.int(10, 28)} ${rng.int(10, 23)}:${rng.int(10, 59)} 实付款：¥${rng.int(20, 999)}.00`,
    'other.fallback',
    'order-card',
  ]);
  const CARD_Q: Array<[string, string]> = [
    ['这单什么时候发', 'delivery.ship_time'],
    ['到哪了', 'delivery.tracking'],
    ['帮我取消', 'return.refund'],
    ['地址要改', 'address.change'],
    ['开个发票', 'payment.invoice'],
    ['显示签收了没收到', 'delivery.signed_not_received'],
    ['能便宜点不', 'haggle.bargain'],
    ['付款失败了', 'payment.pay'],
  ];
  take(60, () => {
    const [q, intent] = rng.pick(CARD_Q);
    return [`订单号：${orderId(rng)} 实付：¥${rng.int(20, 999)} ${q}`, intent, 'order-card-question'];
  });
  return out;
}
