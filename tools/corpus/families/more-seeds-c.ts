/** More hand-written lines per family (home, leisure, tools): whole sentences, labelled one by one. */
import { seeds } from '../types';

export const MORE_SEEDS_C: Record<string, Array<[string, string, string]>> = {
  'home-textile': seeds(`
    被子盖了一晚上，身上全是白色的小毛 => return.damaged @fault-symptom
    乳胶枕里面有一股酸味 => return.damaged @fault-symptom
    窗帘的布边是毛的，没锁边 => return.damaged @fault-symptom
    毛巾洗了一次就硬邦邦的 => return.damaged @fault-symptom
    凉席睡了两晚，竹片一根根翘起来 => return.damaged @fault-symptom
    电热毯开最低档都烫得睡不着 => return.damaged @fault-symptom
    四件套能不能单买枕套 => product.info @care-spec
    羽绒被是不是很重，老人盖压不压 => product.info @usage
    枕头是高枕还是低枕 => product.info @care-spec
    窗帘要不要加一层纱 => product.info @usage
    1.8米的灰色有现货吗 => product.stock @stock
    被芯和被套一起买能便宜吗 => haggle.bargain @haggle
    枕头睡着很舒服，脖子不酸了 => greeting.thanks @praise
  `),
  furniture: seeds(`
    书桌抽屉拉开就掉下来 => return.damaged @fault-symptom
    沙发扶手那里的布起毛了，才用一个月 => return.damaged @fault-symptom
    床头板和床架之间有一条大缝 => return.damaged @fault-symptom
    鞋柜的柜门掉了一扇 => return.damaged @fault-symptom
    电竞椅的靠背往后仰就回不来 => return.damaged @fault-symptom
    茶几的桌面颜色一块深一块浅 => return.damaged @fault-symptom
    衣柜拆开少了一块侧板 => return.damaged @wrong-missing
    这个沙发放进电梯要拆吗 => product.size_color @size-fit
    餐桌是岩板的吗，怕不怕烫 => product.info @care-spec
    衣柜能放在卧室飘窗旁边吗，高度够吗 => product.size_color @size-fit
    办公椅能坐一整天吗，腰会不会酸 => product.info @usage
    书架能放多少本书，会不会变形 => product.info @usage
    原木色的床还有吗 => product.stock @stock
    家具全屋一起买能打折吗 => haggle.bargain @haggle
    安装师傅约好了又改时间，我请了三次假了 => bad_review.complaint @irritation
    沙发坐着很软，颜色也好看 => greeting.thanks @praise
  `),
  kitchenware: seeds(`
    炒锅炒菜的时候把手一直转 => return.damaged @fault-symptom
    菜刀切了两次土豆就卷刃了 => return.damaged @fault-symptom
    保温杯装了热水杯身也是烫的 => return.damaged @fault-symptom
    饭盒放微波炉里盖子变形了 => return.damaged @fault-symptom
    砧板洗完一股霉味 => return.damaged @fault-symptom
    碗碟套装少了两个汤勺 => return.damaged @wrong-missing
    铸铁锅需要每次抹油吗 => product.info @care-spec
    保温杯能装茶叶吗，有滤网吗 => product.info @usage
    不粘锅能用铁铲吗 => product.info @usage
    刀具能开刃吗 => product.info @usage
    28cm的炒锅带盖的还有吗 => product.stock @stock
    锅和铲子一起买能不能便宜点 => haggle.bargain @haggle
    锅很好用，煎蛋一点不粘 => greeting.thanks @praise
  `),
  cleaning: seeds(`
    洗衣液洗完衣服有一股刺鼻的味，晾干了还有 => return.damaged @fault-symptom
    旋转拖把脚踩一下桶就翻 => return.damaged @fault-symptom
    垃圾袋底下是漏的，一装就漏汤 => return.damaged @fault-symptom
    洗手液按一下出来一大坨，收不住 => return.damaged @fault-symptom
    卷纸一扯就碎 => return.damaged @fault-symptom
    消毒液能用来泡衣服吗 => product.info @usage
    洗洁精能洗奶瓶吗 => product.info @usage
    拖把头掉了能单独买吗 => product.info @care-spec
    洗衣凝珠一次放几颗 => product.info @usage
    柠檬味的整箱还有吗 => product.stock @stock
    纸巾囤十提有优惠吗 => haggle.bargain @haggle
    洗衣液很好闻，洗得也干净 => greeting.thanks @praise
  `),
  sports: seeds(`
    跑步机跑到一半屏幕显示E05然后停了 => return.damaged @fault-symptom
    动感单车骑起来左边脚踏一直松 => return.damaged @fault-symptom
    瑜伽垫展开两边是翘的，压不平 => return.damaged @fault-symptom
    帐篷的防水涂层一擦就掉 => return.damaged @fault-symptom
    自行车骑了一公里链条就掉了 => return.damaged @fault-symptom
    泳镜的带子一拉就断 => return.damaged @fault-symptom
    羽毛球拍打了两次拍框就变形了 => return.damaged @fault-symptom
    跑步机一百八十斤的人能跑吗 => product.info @usage
    帐篷能放进车的后备箱吗 => product.size_color @size-fit
    瑜伽垫做普拉提够厚吗 => product.info @usage
    自行车需要自己装车把吗 => product.info @usage
    4人帐篷还有军绿色的吗 => product.stock @stock
    跑步机能分期吗 => payment.pay @pay
    露营装备一起买能打几折 => haggle.bargain @haggle
    帐篷很好搭，下雨也没漏 => greeting.thanks @praise
  `),
  books: seeds(`
    书的封面和里面的内容对不上，是另一本书 => return.damaged @wrong-missing
    练习册后面的答案撕掉了 => return.damaged @wrong-missing
    书一打开胶水味冲得头疼 => return.damaged @fault-symptom
    绘本的硬壳封面裂开了 => return.damaged @fault-symptom
    字典的字小得看不清 => return.damaged @fault-symptom
    这本教辅是配人教版还是北师大版 => product.info @usage
    小说是全本的吗，有没有删节 => product.info @usage
    这套书适合几年级的孩子 => product.info @usage
    有没有配套的练习册 => product.info @usage
    下册什么时候到货 => product.stock @stock
    书能分开寄吗，先发有货的 => delivery.ship_time @ship-time
    买一整套能打几折 => haggle.bargain @haggle
    书包装得很好，一点没压坏 => greeting.thanks @praise
  `),
  stationery: seeds(`
    中性笔刚开封就漏了一笔袋 => return.damaged @fault-symptom
    修正带用了一半就抽不出来了 => return.damaged @fault-symptom
    计算器按了等于号没反应 => return.damaged @fault-symptom
    笔记本的纸一撕就连着好几页掉 => return.damaged @fault-symptom
    马克笔有几支颜色跟笔帽不一样 => return.damaged @wrong-missing
    这个笔芯能换别的牌子的吗 => product.info @usage
    手账本的纸能用水彩吗 => product.info @usage
    钢笔适合练字吗 => product.info @usage
    24色的彩铅还有吗 => product.stock @stock
    学生开学买一箱能便宜吗 => haggle.bargain @haggle
    笔很好写，不断墨 => greeting.thanks @praise
  `),
  jewellery: seeds(`
    项链扣子太小了，自己扣不上，一扣就滑 => return.damaged @fault-symptom
    戒指戴了三天手指变绿了 => return.damaged @fault-symptom
    手镯内圈有个小凹坑 => return.damaged @fault-symptom
    手表玻璃里面有水汽 => return.damaged @fault-symptom
    耳环的钩子一掰就断 => return.damaged @fault-symptom
    金项链能检测吗，有没有检测证书 => product.info @authenticity-warranty
    戒指能不能免费改圈口 => product.info @usage
    手表能不能换成钢带 => product.info @usage
    手腕14厘米戴这个会不会松 => product.size_color @size-fit
    13号的戒指还有吗 => product.stock @stock
    今天金价多少，能优惠工费吗 => haggle.bargain @haggle
    首饰盒很精致，送人很有面子 => greeting.thanks @praise
  `),
  car: seeds(`
    行车记录仪开着开着就自己重启 => return.damaged @fault-symptom
    座套装上去安全带卡扣的孔对不上 => return.damaged @fault-symptom
    充气泵打到一半就不动了 => return.damaged @fault-symptom
    车载冰箱开一晚上把电瓶耗没了 => return.damaged @fault-symptom
    车载香薰放了两天就没味了 => return.damaged @fault-symptom
    雨刮装上去刮不到玻璃边 => return.damaged @fault-symptom
    行车记录仪要接到保险盒吗 => product.info @usage
    脚垫能不能按我的车型定做 => product.info @usage
    应急电源冬天零下能打着火吗 => product.info @usage
    机油适合涡轮增压的车吗 => product.info @usage
    黑红色的全包座套还有吗 => product.stock @stock
    轮胎四条一起换能优惠多少 => haggle.bargain @haggle
    脚垫很合适，装上很有档次 => greeting.thanks @praise
  `),
  tools: seeds(`
    电钻夹头松松垮垮的，钻头一转就歪 => return.damaged @fault-symptom
    插排插上电器就发出噼啪声 => return.damaged @fault-symptom
    花洒出水一股一股的，时大时小 => return.damaged @fault-symptom
    灯泡装上去亮一下就灭了 => return.damaged @fault-symptom
    卷尺拉到两米就卡住了 => return.damaged @fault-symptom
    梯子打开以后中间的锁扣扣不上 => return.damaged @fault-symptom
    马桶盖板关的时候砰的一声，没有缓降 => return.damaged @fault-symptom
    电钻能打穿墙里的钢筋吗 => product.info @usage
    吸顶灯客厅二十平够亮吗 => product.info @usage
    插座能用在卫生间吗，有防水盖吗 => product.info @usage
    水龙头的冷热水管要另外买吗 => product.info @usage
    五孔插座还有现货吗 => product.stock @stock
    装修买的多，能给个工程价吗 => haggle.bargain @haggle
    马桶装好冲得很干净，谢谢 => greeting.thanks @praise
  `),
};
