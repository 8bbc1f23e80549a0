/**
 * Situation frames shared by every product family. A frame is a sentence with `{slot}`
 * markers (see slots.ts); each family fills them with its own products, parts, symptoms and
 * questions. Every frame was written to have one answer under the labelling guide
 * (/work/shared/data/labelling-guide.md): a careful agent would act on exactly that intent.
 * Tie rules used on purpose: a complaint threat wins (rule 1); a concrete problem beats a
 * request for a person (rule 2); return beats delivery (rule 3); a greeting or a pasted order
 * card takes the question's label (rule 4).
 */
import { Family } from './types';

export interface Situation {
  name: string;
  intent: string;
  /** Lines per family (before dedupe). */
  quota: number;
  /** Family fields the frames need; a family without them skips the situation. */
  needs?: Array<'colours' | 'variants' | 'size' | 'care' | 'good'>;
  frames: string[];
}

export const SITUATIONS: Situation[] = [
  {
    name: 'fault-symptom', intent: 'return.damaged', quota: 75,
    frames: [
      '{p}{fault}', '{p}{fault}了', '我买的{p}{fault}，怎么办', '刚收到的{p}{fault}', '{p}用了{dur}，现在{fault}',
      '{p}{fault}了，麻烦处理一下', '{p}{fault}是怎么回事', '这{p}怎么{fault}', '{fault}，这个{p}才买了{dur}',
      '你好，{p}{fault}了，怎么弄', '昨天到的{p}，今天{fault}了', '{p}{fault}，你们看怎么解决', '家里的{p}{fault}了，能上门看看吗',
      '收到的{p}{fault}，能给换一个吗', '亲，你家的{p}{fault}', '{p}{fault}，是不是有毛病', '{p}{fault}，还在保修期吧',
      '这个{p}{fault}，我该怎么办', '才用了{dur}，{p}{fault}', '新买的{p}{fault}，正常吗', '{p}{fault}，这个能修吗',
      '我家{p}{fault}，售后在哪申请', '{p}拿到手{fault}', '老板，{p}{fault}', '{p}{fault}，图片发你了', '说实话{p}{fault}挺闹心的，咋处理',
      '{p}{fault}，用起来很麻烦', '第一次用{p}就发现{fault}', '{p}现在{fault}，之前还好好的', '给我妈买的{p}{fault}了',
      '{p}又{fault}了', '{p}{fault}，是个别现象吗，能处理吗', '{fault}，{p}是不是有问题',
      '{p}{fault}，这谁受得了', '刚拆开{p}就发现{fault}', '{p}{fault}，是我不会用还是它有问题', '怎么回事啊，{p}{fault}', '{p}{fault}，我都没怎么用',
      '我那{p}{fault}', '你们家{p}怎么{fault}', '{p}{fault}，之前买的那个都没这样', '{p}{fault}，是不是这批有问题', '{p}{fault}，能不能寄个新的',
      '{p}{fault}，视频拍好了发你', '妈呀，{p}{fault}', '{p}{fault}，售后电话多少', '送给朋友的{p}，人家说{fault}', '{p}{fault}，麻烦给个处理方案',
    ],
  },
  {
    name: 'wrong-missing', intent: 'return.damaged', quota: 22,
    frames: [
      '{p}里面少了{part}', '收到的{p}没有{part}', '盒子里找不到{part}，{p}没法用', '{p}的{part}漏发了', '我买的是{c}的{p}，寄来的是{c2}的',
      '下单选的{v}，收到的是{v2}', '{p}少发了一个', '买了两个{p}只到了一个', '收到的{p}跟图片不一样', '{p}的{part}跟详情页写的不一样',
      '快递拆开{p}的{part}已经裂开了', '打开箱子{p}的{part}是碎的', '收到的{p}有用过的痕迹', '这个{p}是不是别人用过的，{part}上有划痕',
      '{p}的{part}不见了', '订单写的是{v}，发来{v2}', '{p}包装压扁了，{part}也变形了', '配的{part}跟{p}对不上',
    ],
  },
  {
    name: 'usage', intent: 'product.info', quota: 50,
    frames: [
      '{p}{use}', '请问{p}{use}', '这款{p}{use}', '想问下这个{use}', '{use}', '亲，{p}{use}', '买之前问一下，{p}{use}',
      '{p}{use}？说明书上没写', '我想买个{p}，{use}', '打算送人的，{p}{use}', '你家{p}{use}', '看中这个{p}了，{use}',
      '问一下哈，{use}', '{p}{use}，有懂的吗', '还没下单，先问问{p}{use}', '咨询一下{p}{use}', '这个{use}？',
      '请教一下，{use}', '{p}{use}？想给家里买一个', '{p}{use}，能的话我就下单了', '问下{use}，谢谢', '这个{p}{use}，没用过不太懂', '客服，{use}',
      '对比了好几家，你们这个{use}', '老人用的，{p}{use}', '{p}{use}？详情页写得不清楚',
    ],
  },
  {
    name: 'care-spec', intent: 'product.info', quota: 35, needs: ['care'],
    frames: [
      '{p}{care}', '请问{p}{care}', '这个{care}', '{care}', '想了解下{p}{care}', '亲，{p}{care}', '收到{p}了，{care}',
      '{p}{care}，详情页没看到', '这款{p}{care}', '刚买的{p}，{care}',
    ],
  },
  {
    name: 'authenticity-warranty', intent: 'product.info', quota: 12,
    frames: [
      '{p}是正品吗', '{p}是原装的吗', '{p}保修多久', '{p}有质保吗，质保几年', '{p}有说明书吗', '{p}是哪里生产的',
      '你家{p}是不是旗舰店同款', '{p}有防伪码吗', '{p}和专柜的一样吗', '{p}是新款还是老款', '{p}跟{p2}有什么区别',
      '{p}和{p2}哪个好', '{p}是全新的吗', '{p}是不是翻新的', '{p}有没有假货', '{p}跟实体店的一样吗',
    ],
  },
  {
    name: 'size-fit', intent: 'product.size_color', quota: 30, needs: ['size'],
    frames: ['{p}{size}', '{size}', '请问{size}', '亲，{p}{size}', '{p}{size}，帮我看看', '想买{p}，{size}', '这款{size}'],
  },
  {
    name: 'colour', intent: 'product.size_color', quota: 15, needs: ['colours'],
    frames: [
      '{p}有几个颜色', '{p}有{c}的吗', '{c}和{c2}哪个好看', '{c}的实物有色差吗', '{c}是偏深还是偏浅', '{p}除了{c}还有别的颜色吗',
      '{c}的{p}和图片一样吗', '{c}跟{c2}选哪个', '{p}的{c}显脏吗', '{c}的{p}实物是什么样的颜色', '有没有{c}的{p}',
    ],
  },
  {
    name: 'stock', intent: 'product.stock', quota: 25, needs: ['variants'],
    frames: [
      '{p}还有货吗', '{v}还有吗', '{v}的{p}有现货吗', '{p}什么时候补货', '{v}卖完了吗', '{p}缺货吗，急要', '{p}我要{k}个，库存够吗',
      '{v}什么时候到货', '你家{p}现在有现货不', '{p}下架了吗，怎么买不了', '{v}还能买到吗', '{p}显示无货，还会补吗',
      '{v}的还有没有', '{p}是现货还是预售', '{p}断货了吗', '{v}还剩几个',
    ],
  },
  {
    name: 'ship-time', intent: 'delivery.ship_time', quota: 22,
    frames: [
      '{p}今天能发出吗', '我拍的{p}几号发', '{p}下单后多久发货', '{p}发什么快递', '{p}能发顺丰吗', '{p}从哪里发货', '{p}寄到{city}要几天',
      '我在{city}，{p}几天能到', '{p}预售要等多久发', '{p}能不能今天就给我寄', '拍了{p}，麻烦早点发', '{p}现在下单明天能到{city}吗',
      '买的{p}急用，能加急发吗', '{p}能送货上门吗', '{p}周末发不发货', '{p}付款{days}天了还没发出', '{p}还在待发货，啥时候寄',
      '{p}能发{courier}吗', '{p}几点前下单当天发',
    ],
  },
  {
    name: 'tracking', intent: 'delivery.tracking', quota: 25,
    frames: [
      '{p}到哪了', '我的{p}物流{days}天没动了', '{p}怎么还没到', '帮我查下{p}的物流', '{p}的快递卡在{city}了', '买的{p}显示派送中，一直没人送',
      '{p}的单号{track}，查不到', '{p}寄出来{days}天了还没收到', '催一下{p}的快递', '{p}的快递员电话给我一下', '{p}物流一直没更新',
      '{p}是不是寄丢了', '我等{p}等了{days}天了，还没影', '{courier}{track}这单{p}到哪了', '{p}显示到{city}了，今天能送吗',
      '{p}的快递在中转站不动了', '{p}什么时候能送到，物流好慢', '我那个{p}走到哪一步了',
    ],
  },
  {
    name: 'signed-not-received', intent: 'delivery.signed_not_received', quota: 12,
    frames: [
      '{p}显示签收了，我没收到', '我没拿到{p}，怎么就已签收了', '{p}被谁签收了', '物流说{p}已经送到，家里没人见过', '{p}显示放驿站了，驿站说没有',
      '{p}显示已妥投，我一直在家没人敲门', '快递柜里没有我的{p}，却显示签收', '{p}签收人不是我', '{p}显示本人签收，我根本没签', '{p}显示送达了，门口什么都没有',
    ],
  },
  {
    name: 'address-change', intent: 'address.change', quota: 12,
    frames: [
      '{p}那单地址写错了，改成{addr}', '买{p}的时候地址选错了，帮我改一下', '刚拍的{p}，收件人改成{name}，电话{phone}', '{p}的订单能改地址吗，还没发吧',
      '下单{p}时手机号填错了，应该是{phone}', '{p}麻烦改寄到{addr}', '{p}的收货地址要换，我搬家了', '{p}收货人改一下，改成{name}',
    ],
  },
  {
    name: 'address-confirm', intent: 'address.confirm', quota: 8,
    frames: [
      '{p}寄到{addr}，收件人{name}，{phone}', '买的{p}地址是{addr}，你核对下', '{p}的收货地址是{addr}对吧', '帮我确认下{p}订单上的地址',
      '{p}收件人{name}，电话{phone}，地址{addr}',
    ],
  },
  {
    name: 'pay', intent: 'payment.pay', quota: 12,
    frames: [
      '{p}怎么付款', '{p}付款一直失败', '拍了{p}付不了款', '{p}能用花呗分期吗', '{p}可以用信用卡付吗', '{p}的订单付了钱还显示待付款',
      '买{p}为什么扣了两次钱', '{p}实付{n}，怎么比页面上多', '{p}运费怎么算', '买{p}能用白条吗', '{p}能分几期', '{p}的尾款怎么付',
    ],
  },
  { name: 'cod', intent: 'payment.cod', quota: 4, frames: ['{p}能货到付款吗', '{p}支持到付吗', '买{p}可以货到付款不', '{p}到付要多收钱吗', '{p}收到再付钱行不行，货到付款'] },
  {
    name: 'invoice', intent: 'payment.invoice', quota: 8,
    frames: [
      '{p}能开发票吗', '买{p}要开专票，税号{tax}', '{p}的发票抬头写公司', '{p}电子发票在哪看', '{p}的发票还没收到', '公司买的{p}，发票开{company}',
      '{p}发票能开明细吗', '{p}的发票开错了，重开一下',
    ],
  },
  {
    name: 'haggle', intent: 'haggle.bargain', quota: 35,
    frames: [
      '{p}{lo}卖不卖', '{p}能便宜点吗', '{lo}行不行，{p}', '{p}最低多少钱', '别家{p}才{lo}', '{p}有优惠券吗', '{p}两个一起买能便宜吗', '{p}包邮吧',
      '{lo}包邮我就拍了', '{p}再少点嘛', '老顾客了，{p}给个折扣吧', '{p}有没有满减', '{p}太贵了，{lo}吧', '{p}能抹个零吗', '{p}会员有折扣吗',
      '{p}什么时候有活动', '买两件{p}能打几折', '{p}能不能送点赠品', '{p}领不到券，能给个优惠吗', '{p}有没有新人优惠', '{n}的{p}，{lo}出不出',
      '{p}标价{n}，少{diff}块行吗', '{p}便宜{diff}块我马上下单', '多买几个{p}有批发价吗', '{p}能不能{lo}包邮', '{p}比上周贵了，能按原价吗',
      '{p}有没有店铺券', '{p}的优惠券领完了，还能发一张吗', '给个{p}的券呗', '{p}有没有无门槛的券', '{p}能叠加几张券', '{p}有满减券吗', '买{p}有新人券没',
      '这个{p}划不来，再优惠点', '{p}一口价{lo}', '学生党，{p}能优惠吗',
    ],
  },
  {
    name: 'price-protection', intent: 'return.refund', quota: 10,
    frames: [
      '{p}买了{days}天就降价了，退差价', '昨天买的{p}今天便宜了{diff}块，能价保吗', '{p}降价了，能补我差价吗', '{p}现在比我买的时候便宜，差价怎么退',
      '我买的{p}价格降了，能申请价格保护吗', '{p}刚买就降了{diff}，退我差价', '{p}我买贵了，差价能退给我吗', '{p}保价怎么申请',
    ],
  },
  {
    name: 'refund', intent: 'return.refund', quota: 22,
    frames: [
      '{p}不想要了，能退吗', '{p}申请退款了，什么时候到账', '{p}还没发货，帮我取消订单', '{p}拍错了，取消吧', '{p}七天无理由能退吗', '退{p}的运费谁出',
      '{p}退回去了，钱什么时候退', '{p}已经寄回了，单号{track}', '{p}拆封了还能退吗', '{p}的退款怎么还没到', '{p}买多了，退一个',
      '{p}跟想象的不一样，想退', '家里已经有{p}了，这个退掉', '{p}用不上了，申请退货', '{p}退货地址发我', '{p}退款被拒了，为什么',
      '{p}没拆过，能退款吗', '{p}退货要自己寄吗', '{p}的退款退到哪了', '我要退{p}，怎么操作',
    ],
  },
  {
    name: 'exchange', intent: 'return.exchange', quota: 15, needs: ['variants'],
    frames: [
      '{p}想换成{v2}的', '{p}能换{v}吗', '{p}{v}的不合适，换一个{v2}', '收到的{p}想换个款', '{p}换货怎么操作', '{p}换{v}要补差价吗',
      '换货的{p}什么时候寄出', '{p}能换成{c}吗', '买的{v}，帮我换成{v2}', '{p}不退，换个{v2}就行', '{p}换货运费谁出',
    ],
  },
  {
    name: 'praise', intent: 'greeting.thanks', quota: 18, needs: ['good'],
    frames: [
      '{p}收到了，{good}', '{p}{good}，谢谢', '{good}，下次还来', '{p}挺好的，{good}', '东西收到了，{good}，很满意', '{p}{good}，推荐给朋友了',
      '谢谢亲，{p}{good}', '{good}，比想象的好', '{p}到了，{good}，辛苦啦', '{good}，物超所值，谢谢',
      '给{whom}买的{p}，{good}，{whom}很满意', '第二次买了，{p}还是{good}', '{p}用了一段时间了，{good}', '客服推荐的{p}没错，{good}',
    ],
  },
  {
    name: 'irritation', intent: 'bad_review.complaint', quota: 10,
    frames: [
      '{p}的事我问了三遍了，到底有没有人管', '说了半天{p}还是这样，你们能不能上点心', '{p}的问题拖了{days}天了，每次都让我等',
      '为了个{p}跟你们磨了一下午，太失望了', '{p}的事你们就一直敷衍我是吧', '一个{p}的售后，推来推去有意思吗', '我都说了{p}{fault}，你们还让我等，什么态度',
      '{p}的事说好今天给答复，又没人理', '买个{p}这么费劲，以后再也不来了', '{p}的问题找了你们{k}次了，还是没人解决',
      '{p}的事你们到底管不管', '为了这个{p}我打了{k}次电话了，每次都说记录一下', '{p}的售后拖了{days}天，你们的效率真让人佩服',
      '上个客服说{p}给我处理，结果又没下文', '{p}的问题能不能给个准话，别再让我等了', '我就想问问{p}到底怎么办，你们一直绕圈子',
      '{p}的事跟你们说了好几遍，回的都是一样的话', '你们自己答应的{p}补发，到现在也没影，说话算数吗',
    ],
  },
  { name: 'human', intent: 'human.request', quota: 5, frames: ['{p}的问题转人工', '{p}的事我要找真人说', '关于{p}，找个人工客服', '问{p}的，帮我转人工', '{p}这个我要跟人工聊'] },
  {
    name: 'fragment', intent: 'other.fallback', quota: 10,
    frames: ['{p}', '那个{p}', '{p}？', '{p}的链接 [链接]', '就是这个{p}', '{p}啊', '我再看看别的{p}', '{p}。。。', '刚刚那个{p}', '[链接] {p}', '我朋友推荐的{p}', '{p}我先看看', '之前那个{p}', '[图片] {p}'],
  },
  {
    name: 'order-card', intent: 'other.fallback', quota: 8, needs: ['variants'],
    frames: [
      '订单号：{order} 商品：{p} 数量：1 实付：¥{n}', '【{p}】{v} x1 ¥{n} 订单编号{order}', '商品名称：{p}（{v}）单价：{n}.00 数量：1',
      '{order} {p} 已付款 ¥{n}', '[订单{order}] {p} {v}', '订单编号：{order}\u3000{p} {v}\u3000¥{n}',
    ],
  },
  // Longer messages told as a little story: context, what happened, the ask.
  {
    name: 'story-fault', intent: 'return.damaged', quota: 18,
    frames: [
      '{when}买的{p}，{arrive}，{fault}，{askfix}', '{p}是{when}下单的，{arrive}就发现{fault}，{askfix}', '给{whom}买的{p}，{arrive}，结果{fault}，{askfix}',
      '我{when}在你们家买了个{p}，现在{fault}，{askfix}', '{p}{arrive}，本来挺开心，结果{fault}，{askfix}', '说一下，{when}买的{p}，{fault}，{part}也有点问题，{askfix}',
      '{when}拍的{p}，{arrive}，{fault}，我也没乱用，{askfix}',
    ],
  },
  {
    name: 'story-usage', intent: 'product.info', quota: 12,
    frames: [
      '想给{whom}买个{p}，{use}', '{whom}一直想要个{p}，想问下{use}', '之前在别家买的{p}不好用，你们这个{use}', '第一次买{p}，不太懂，{use}',
      '准备给{whom}买{p}当礼物，{care}', '看了好几家的{p}，想问问你们这款{use}',
    ],
  },
  {
    name: 'story-tracking', intent: 'delivery.tracking', quota: 10,
    frames: [
      '{when}下的单，说好{k}天到，现在{p}都还没到，麻烦查一下', '{p}{when}就发货了，物流到{city}以后就没动过，怎么回事', '给{whom}买的{p}等着用，快递{days}天了还在路上，能催一下吗',
      '我{when}买的{p}，物流一直显示运输中，到底到哪了', '{p}的快递说今天派送，等了一天也没人来，电话也打不通',
    ],
  },
  {
    name: 'story-haggle', intent: 'haggle.bargain', quota: 10,
    frames: [
      '看了好几家，你家{p}最贵，{lo}的话我就下单', '{p}我很喜欢，就是有点超预算，能不能{lo}', '{whom}让我问问，{p}能不能再便宜点，我们买两个', '{p}上次活动才{lo}，现在能按那个价给我吗',
      '真心想要这个{p}，学生党钱不多，给个优惠吧', '{p}我在别的平台看到{lo}，你们能跟吗',
    ],
  },
  {
    name: 'story-refund', intent: 'return.refund', quota: 8,
    frames: [
      '{when}买的{p}，{whom}也买了一个，重复了，这个想退', '{p}收到了，东西没问题，就是不太想要了，还没拆封，能退吗', '{p}还没发货吧，我不想要了，麻烦取消，钱退回原账户',
      '{p}寄回去{days}天了，你们签收了吗，退款什么时候到', '{whom}不喜欢这个{p}，包装都还在，能七天无理由退吗',
    ],
  },
  {
    name: 'multi', intent: '', quota: 0, frames: [],
  },
];

/** Messages that join two asks; each is labelled by the guide's tie rules (see the header). */
export const MULTI: Array<[string, string]> = [
  ['{p}{fault}，不给处理我就差评', 'bad_review.complaint'],
  ['{p}{fault}了，再拖我就投诉你们', 'bad_review.complaint'],
  ['物流{days}天不动了，{p}再不到我就投诉', 'bad_review.complaint'],
  ['{p}到现在都没发，不发我就给差评', 'bad_review.complaint'],
  ['{p}怎么还没到，不要了，退款', 'return.refund'],
  ['{p}一直没发货，取消订单吧', 'return.refund'],
  ['{p}显示签收了我没收到，直接退款吧', 'return.refund'],
  ['快递太慢了，{p}我不要了，拦截退回', 'return.refund'],
  ['{p}还在路上，能先退款吗', 'return.refund'],
  ['转人工，{p}{fault}了', 'return.damaged'],
  ['人工客服，我的{p}{fault}', 'return.damaged'],
  ['找真人，{p}显示签收了可我没收到', 'delivery.signed_not_received'],
  ['人工！{p}付款失败了', 'payment.pay'],
  ['订单号{order} {p} 这个什么时候发货', 'delivery.ship_time'],
  ['订单号：{order}，{p}到哪了', 'delivery.tracking'],
  ['{order} {p} {fault}', 'return.damaged'],
  ['订单{order}，{p}能开发票吗', 'payment.invoice'],
  ['订单编号{order}，{p}想换成{v}', 'return.exchange'],
  ['你好 {p}{use}', 'product.info'],
  ['在吗？{p}{lo}包邮行吗', 'haggle.bargain'],
  ['亲在吗，{p}能便宜点吗', 'haggle.bargain'],
  ['您好，{p}能货到付款吗', 'payment.cod'],
  ['哈喽，{p}还有货吗', 'product.stock'],
  ['在不在，{p}怎么还没到', 'delivery.tracking'],
  ['{p}收到了，谢谢，就是{fault}', 'return.damaged'],
  ['好的谢谢，那{p}什么时候能发', 'delivery.ship_time'],
  ['{p}挺好，但是{part}少了一个', 'return.damaged'],
  ['{p}{fault}，换货还是退款都行，你们快点', 'return.damaged'],
  ['{p}买了{days}天降价了，不退差价我就差评', 'bad_review.complaint'],
  ['{p}降价了，差价退我，不然我退货', 'return.refund'],
  ['{p}到了吗？一直显示运输中，再不到就退款', 'return.refund'],
  ['转人工，我要退{p}', 'return.refund'],
  ['人工客服，{p}想换{v}', 'return.exchange'],
  ['找人工，{p}怎么还没到', 'delivery.tracking'],
  ['谢谢，那{p}{use}', 'product.info'],
  ['好的，{p}有{c}的吗', 'product.size_color'],
  ['嗯嗯，那{p}能便宜点吗', 'haggle.bargain'],
  ['在吗在吗，{p}到哪了', 'delivery.tracking'],
  ['[链接] 这个{use}', 'product.info'],
  ['[链接] {size}', 'product.size_color'],
  ['[图片] {p}{fault}', 'return.damaged'],
  ['[图片] 收到就是这样，{part}裂了', 'return.damaged'],
  ['{p}{fault}，你们这卖的什么破东西', 'bad_review.complaint'],
  ['{p}说好昨天到的，又骗人', 'bad_review.complaint'],
  ['你好，{p}{care}', 'product.info'],
  ['您好，我想问一下{p}{size}', 'product.size_color'],
  ['亲，{p}{fault}了，拍了视频', 'return.damaged'],
  ['商品：{p} 订单号：{order} 什么时候发货', 'delivery.ship_time'],
  ['订单{order}的{p}退款到哪了', 'return.refund'],
];
