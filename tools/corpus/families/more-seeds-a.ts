/** More hand-written lines per family (appliances, electronics, apparel): whole sentences, labelled one by one. */
import { seeds } from '../types';

export const MORE_SEEDS_A: Record<string, Array<[string, string, string]>> = {
  kitchen: seeds(`
    电饭煲盖子那圈老是往下滴水，台面都是湿的 => return.damaged @fault-symptom
    破壁机用完杯底黏糊糊的一圈，怎么也刷不掉，是不是漏了 => return.damaged @fault-symptom
    空气炸锅才用第三次，按钮就失灵了，一直在那滴滴响 => return.damaged @fault-symptom
    烤箱门玻璃自己裂开了，我都没碰它 => return.damaged @fault-symptom
    油烟机开着跟拖拉机一样，说话都听不见 => return.damaged @fault-symptom
    养生壶煮着煮着就跳闸，家里其他电器都好好的 => return.damaged @fault-symptom
    电水壶烧出来的水有股铁锈味 => return.damaged @fault-symptom
    豆浆机打出来的豆浆全是渣，跟没打一样 => return.damaged @fault-symptom
    料理机的杯子能单独买一个吗 => product.info @care-spec
    空气炸锅做完能直接用洗碗机洗篮子吗 => product.info @care-spec
    电饭煲能煮杂粮饭吗，要不要提前泡 => product.info @usage
    我家厨房插座是10A的，这个能插吗 => product.info @usage
    咖啡机能用星巴克的胶囊吗 => product.info @usage
    燃气灶的熄火保护灵敏吗 => product.info @usage
    破壁机半夜打会吵到邻居吗 => product.info @usage
    三口之家买几升的合适 => product.size_color @size-fit
    奶油白和薄荷绿实物哪个好看 => product.size_color @colour
    破壁机今天下单能赶上周末用吗 => delivery.ship_time @ship-time
    厨电套装满五千还能减吗 => haggle.bargain @haggle
    洗碗机买了还没安装，能退吗 => return.refund @refund
    电饭煲做的饭很香，家里老人说好 => greeting.thanks @praise
    空气炸锅的事问了三天了，就没一个人能说清楚 => bad_review.complaint @irritation
  `),
  'large-appliance': seeds(`
    空调一开外机就砰砰响，邻居都来敲门了 => return.damaged @fault-symptom
    冰箱后面热得烫手，冷藏室却不凉 => return.damaged @fault-symptom
    洗衣机洗到一半门打不开，衣服泡在里面 => return.damaged @fault-symptom
    电视屏幕四个角发白，看电影特别明显 => return.damaged @fault-symptom
    热水器显示温度60度，出来的水是温的 => return.damaged @fault-symptom
    新冰箱放了一晚上，里面还有股味道散不掉 => return.damaged @fault-symptom
    空调遥控器按了屏幕亮，空调没反应 => return.damaged @fault-symptom
    洗衣机排水的时候水从底下漫出来 => return.damaged @fault-symptom
    这个冰箱放得进我家的冰箱位吗，宽62 => product.size_color @size-fit
    空调外机放不下，能装在楼顶吗 => product.info @usage
    电视能不能装在我家那个旧挂架上 => product.info @usage
    洗衣机有没有婴儿衣物专用程序 => product.info @usage
    热水器需要打开燃气阀才能用吗 => product.info @usage
    冰箱刚送到，要放多久才能插电 => product.info @usage
    空调装好之后多久能开 => product.info @usage
    安装师傅到了说要加一米铜管，多收两百，正常吗 => payment.pay @pay
    空调的安装费明细能发我一下吗 => payment.pay @pay
    我这边是老小区，空调能安排周日装吗 => delivery.ship_time @ship-time
    买冰箱有没有以旧换新补贴 => haggle.bargain @haggle
    电视挂好了，画面特别清楚，谢谢师傅 => greeting.thanks @praise
    约了三次安装都没人来，你们到底想怎样 => bad_review.complaint @irritation
  `),
  'small-appliance': seeds(`
    吹风机吹着吹着突然冒火星，吓死了 => return.damaged @fault-symptom
    电风扇开最低档也跟台风一样，调不了 => return.damaged @fault-symptom
    加湿器底座全是水，桌子都泡了 => return.damaged @fault-symptom
    扫地机器人每次扫到一半就说找不到路 => return.damaged @fault-symptom
    吸尘器充了一晚上，指示灯还是红的 => return.damaged @fault-symptom
    卷发棒加热到一半自己关了，头发卷一半 => return.damaged @fault-symptom
    空气净化器开着一股烧塑料的味道 => return.damaged @fault-symptom
    挂烫机喷出来的都是白色的水垢渣 => return.damaged @fault-symptom
    扫地机器人能扫床底吗，我家床底只有9厘米 => product.size_color @size-fit
    吹风机有没有冷风档 => product.info @usage
    加湿器能放卧室开一整晚吗 => product.info @usage
    扫地机器人掉在地上的袜子会不会卷进去 => product.info @usage
    除湿机一天能除多少升水 => product.info @care-spec
    取暖器的电费一晚上大概多少 => product.info @usage
    空气净化器能不能过滤花粉 => product.info @usage
    吸尘器的滤网能用水冲吗 => product.info @care-spec
    扫地机器人的耗材套装有优惠吗 => haggle.bargain @haggle
    吹风机颜色选错了，没拆封，换个粉色的 => return.exchange @exchange
    加湿器出雾很细，放卧室正好 => greeting.thanks @praise
    问个吹风机的事，客服半天不回，这是几个意思 => bad_review.complaint @irritation
  `),
  phone: seeds(`
    手机放兜里自己拨出去好几个电话 => return.damaged @fault-symptom
    手机屏幕亮度调到最高还是看不清 => return.damaged @fault-symptom
    打游戏打着打着屏幕就没反应了，只能重启 => return.damaged @fault-symptom
    手机充电口插上线晃来晃去 => return.damaged @fault-symptom
    新手机一天掉电百分之八十，什么都没开 => return.damaged @fault-symptom
    平板屏幕中间有一块发黄的印子 => return.damaged @fault-symptom
    手机拍照的时候镜头里面有灰 => return.damaged @fault-symptom
    老人机的来电声音太小，老人听不见 => return.damaged @fault-symptom
    这款手机能不能插两张移动的卡 => product.info @usage
    平板能装学习软件吗，孩子上网课用 => product.info @usage
    手机有没有贴好膜出厂 => product.info @care-spec
    这个颜色是亮面还是磨砂的 => product.size_color @colour
    256G的黑色还能下单吗 => product.stock @stock
    手机送的耳机是有线的还是无线的 => product.info @care-spec
    分期的话每个月要还多少 => payment.pay @pay
    手机能不能开成办公用品的发票 => payment.invoice @invoice
    以旧换新的话还能再便宜多少 => haggle.bargain @haggle
    手机是新机吗，会不会是官换机 => product.info @authenticity-warranty
    手机用着很流畅，电池也耐用 => greeting.thanks @praise
    一个激活的问题跟你们说了一上午 => bad_review.complaint @irritation
  `),
  computer: seeds(`
    笔记本开机键要按好几下才有反应 => return.damaged @fault-symptom
    新电脑插上耳机只有一边有声音 => return.damaged @fault-symptom
    显示器开机有嗞嗞的电流声 => return.damaged @fault-symptom
    键盘有几个键按下去要用很大力 => return.damaged @fault-symptom
    打印机打出来的字全是重影 => return.damaged @fault-symptom
    路由器放在客厅，卧室就没信号了 => return.damaged @fault-symptom
    笔记本屏幕轴那里一开合就咔咔响 => return.damaged @fault-symptom
    固态装上以后电脑一直卡顿 => return.damaged @fault-symptom
    这台笔记本能装Linux吗 => product.info @usage
    显示器能竖起来用吗 => product.info @usage
    笔记本带不带数字小键盘 => product.info @care-spec
    打印机能打照片吗，效果怎么样 => product.info @usage
    鼠标是静音的吗 => product.info @care-spec
    i7的银色还有吗 => product.stock @stock
    公司采购二十台笔记本能给个价吗 => haggle.bargain @haggle
    电脑要开增值税专票 => payment.invoice @invoice
    笔记本很轻，出差很方便 => greeting.thanks @praise
    电脑修了一个月还没寄回来，我工作全耽误了 => bad_review.complaint @irritation
  `),
  'digital-accessory': seeds(`
    数据线充一会就断开，要一直调角度 => return.damaged @fault-symptom
    充电头插上去手机显示充电，但是电量一直不涨 => return.damaged @fault-symptom
    蓝牙耳机放进充电仓，拿出来还是没电 => return.damaged @fault-symptom
    手机壳戴上以后手机侧键按不动了 => return.damaged @fault-symptom
    智能手表每天都要重新连一次蓝牙 => return.damaged @fault-symptom
    蓝牙音箱开到一半音量就破音 => return.damaged @fault-symptom
    钢化膜贴上去触屏不灵了 => return.damaged @fault-symptom
    扩展坞插上以后电脑一直提示USB无法识别 => return.damaged @fault-symptom
    这个充电宝能给笔记本充电吗 => product.info @usage
    耳机能用在安卓手机上吗，有弹窗吗 => product.info @usage
    手表的表带能换成金属的吗 => product.info @usage
    壳子是全包的吗，摄像头有保护吗 => product.info @care-spec
    iPhone16的透明款什么时候有货 => product.stock @stock
    两个充电头一起买有没有优惠 => haggle.bargain @haggle
    耳机降噪很好，地铁上很安静 => greeting.thanks @praise
    耳机的事说了半天，你们就一直让我重置 => bad_review.complaint @irritation
  `),
  'women-clothing': seeds(`
    连衣裙腋下那里一穿就勒出一道红印 => return.damaged @fault-symptom
    毛衣洗了一次领口大了一圈 => return.damaged @fault-symptom
    羽绒服背后那条缝一直往外钻毛 => return.damaged @fault-symptom
    裤子的扣子是坏的扣不上 => return.damaged @fault-symptom
    白T恤穿一次后背就变透了 => return.damaged @fault-symptom
    针织衫勾丝了，就穿了半天 => return.damaged @fault-symptom
    收到的衣服有股香水味，是不是别人穿过退回来的 => return.damaged @wrong-missing
    这个颜色显黑吗，我皮肤有点黄 => product.size_color @colour
    胳膊粗的能穿吗，上臂围30 => product.size_color @size-fit
    我腿长，裤子会不会短 => product.size_color @size-fit
    裙子里面有没有安全裤 => product.info @usage
    这件毛衣扎不扎人 => product.info @usage
    大衣里面穿毛衣会不会紧 => product.size_color @size-fit
    M码的杏色什么时候补 => product.stock @stock
    衣服是现货吗，过几天要穿 => product.stock @stock
    换季清仓还能再便宜吗 => haggle.bargain @haggle
    衣服买了三件，想退其中一件 => return.refund @refund
    穿上很好看，同事都问链接 => greeting.thanks @praise
    退换一件衣服要跟你们说五遍吗 => bad_review.complaint @irritation
  `),
  'men-clothing': seeds(`
    衬衫领子里面的衬布起泡了 => return.damaged @fault-symptom
    卫衣洗完袖口全松了 => return.damaged @fault-symptom
    裤子裤腰的松紧带断了 => return.damaged @fault-symptom
    羽绒服拉链头一拉就掉 => return.damaged @fault-symptom
    T恤洗完领子成了荷叶边 => return.damaged @fault-symptom
    冲锋衣帽子的抽绳抽不动 => return.damaged @fault-symptom
    西装后面有一道明显的折痕熨不平 => return.damaged @fault-symptom
    我一米七八，一百八十斤，肚子大，拿几个X => product.size_color @size-fit
    老爸六十岁，穿这个会不会太年轻 => product.info @usage
    西装要不要改裤长 => product.size_color @size-fit
    这个冲锋衣的防水指数多少 => product.info @care-spec
    袜子是一包几双 => product.info @care-spec
    藏青XL还能买到吗 => product.stock @stock
    三件一起拍能打几折 => haggle.bargain @haggle
    衣服尺码偏小，换大一号 => return.exchange @exchange
    老公说穿着很舒服，还要一件 => greeting.thanks @praise
  `),
  shoes: seeds(`
    鞋子走路的时候后跟一直往下掉 => return.damaged @fault-symptom
    穿了三天大脚趾那里就顶破了 => return.damaged @fault-symptom
    下雨天穿了一次，鞋面全是白色的印子 => return.damaged @fault-symptom
    鞋子左脚那只里面有个硬疙瘩，硌脚 => return.damaged @fault-symptom
    鞋底花纹磨平了，穿了不到一个月 => return.damaged @fault-symptom
    皮鞋鞋面一折就裂纹 => return.damaged @fault-symptom
    鞋子前面有一块像是胶水溢出来的 => return.damaged @fault-symptom
    一只鞋带长一只鞋带短 => return.damaged @wrong-missing
    我穿耐克42，你们这个要拿几码 => product.size_color @size-fit
    脚背高穿这款会不会压脚 => product.size_color @size-fit
    这个鞋底硬不硬，站一天会不会累 => product.info @usage
    孩子在长脚，要买大一码吗 => product.size_color @size-fit
    42码黑色还有货吗 => product.stock @stock
    鞋子能便宜二十吗，我两双都要 => haggle.bargain @haggle
    鞋子有点挤脚，能换宽版吗 => return.exchange @exchange
    跑步鞋很轻很软，跑了五公里也不累 => greeting.thanks @praise
  `),
  bags: seeds(`
    包的肩带扣子一背就松开 => return.damaged @fault-symptom
    行李箱拉杆拉到一半卡住了 => return.damaged @fault-symptom
    钱包里面的卡位裂开了 => return.damaged @fault-symptom
    双肩包背了一周，底下磨出一个洞 => return.damaged @fault-symptom
    斜挎包的链条把衣服磨起球了 => return.damaged @fault-symptom
    行李箱密码我没改过，现在打不开了 => return.damaged @fault-symptom
    行李箱20寸的能上高铁放架子吗 => product.size_color @size-fit
    这个包背着显不显老气 => product.info @usage
    书包会不会太重，孩子才一年级 => product.info @usage
    焦糖色的大号还有吗 => product.stock @stock
    买包能送个挂件吗 => haggle.bargain @haggle
    包包很好看，皮质很软 => greeting.thanks @praise
  `),
};
