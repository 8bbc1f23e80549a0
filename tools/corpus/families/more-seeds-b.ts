/** More hand-written lines per family (beauty, health, food, kids, pets): whole sentences, labelled one by one. */
import { seeds } from '../types';

export const MORE_SEEDS_B: Record<string, Array<[string, string, string]>> = {
  skincare: seeds(`
    洗面奶挤出来是水样的，跟以前的不一样 => return.damaged @fault-symptom
    面膜敷完脸烫烫的，第二天起了一片疹子 => return.damaged @fault-symptom
    眼霜用了长脂肪粒 => return.damaged @fault-symptom
    防晒霜一抹就搓泥，一搓一手渣 => return.damaged @fault-symptom
    精华瓶身上的批号被刮掉了 => return.damaged @wrong-missing
    美容仪用了两次就开不了机 => return.damaged @fault-symptom
    油皮夏天用面霜会不会闷 => product.info @usage
    面霜和精华哪个先涂 => product.info @usage
    这个水能湿敷吗 => product.info @usage
    晚上用了第二天要不要防晒 => product.info @usage
    小样和正装是一样的吗 => product.info @care-spec
    这个套装里有几样东西 => product.info @care-spec
    正装50ml还有吗 => product.stock @stock
    买一套送什么赠品，能多送点小样吗 => haggle.bargain @haggle
    用了一个月皮肤亮了好多 => greeting.thanks @praise
  `),
  cosmetics: seeds(`
    粉底液摇了还是油粉分离 => return.damaged @fault-symptom
    口红涂上去颜色跟试色图差太多，偏橘 => return.damaged @fault-symptom
    气垫的粉扑一拿出来是脏的 => return.damaged @wrong-missing
    睫毛膏刷头是弯的 => return.damaged @fault-symptom
    香水瓶子喷两下就不出来了 => return.damaged @fault-symptom
    散粉盖子一打开粉全洒出来了 => return.damaged @fault-symptom
    豆沙色适合黄皮吗 => product.size_color @colour
    混油皮适合哪个色号的粉底 => product.size_color @colour
    口红有没有小样可以试色 => product.info @usage
    这个眼影盘哑光多还是珠光多 => product.info @care-spec
    香水是EDP还是EDT => product.info @care-spec
    01色什么时候补货 => product.stock @stock
    两支口红能不能打个折 => haggle.bargain @haggle
    粉底很服帖，一天不脱妆 => greeting.thanks @praise
  `),
  health: seeds(`
    血糖仪同一滴血测两次差了2个点 => return.damaged @fault-symptom
    体脂秤站上去数字一直跳，停不下来 => return.damaged @fault-symptom
    颈椎按摩仪开一会就很烫，不敢用 => return.damaged @fault-symptom
    制氧机开着有一股塑料味 => return.damaged @fault-symptom
    额温枪测一个人测出三个温度 => return.damaged @fault-symptom
    轮椅推起来一直往右偏 => return.damaged @fault-symptom
    血压计适合八十岁的老人自己量吗 => product.info @usage
    维生素一天吃一片够吗 => product.info @usage
    护腰能不能贴身穿 => product.info @usage
    益生菌要用温水冲吗 => product.info @usage
    蛋白粉是乳清的还是大豆的 => product.info @care-spec
    血压计有没有医疗器械许可证 => product.info @authenticity-warranty
    血糖试纸单独卖吗，一盒多少片 => product.info @care-spec
    护腰L码还有吗 => product.stock @stock
    按摩椅能分期吗 => payment.pay @pay
    老爸用了血压计说很方便 => greeting.thanks @praise
  `),
  snacks: seeds(`
    饼干拆开一股怪味，像放在樟脑丸旁边 => return.damaged @fault-symptom
    巧克力到手化得黏在包装纸上 => return.damaged @fault-symptom
    每日坚果里面的核桃是苦的 => return.damaged @fault-symptom
    辣条吃完嗓子不舒服，味道不对 => return.damaged @fault-symptom
    螺蛳粉的酸笋包漏了，整箱都是味 => return.damaged @fault-symptom
    自热火锅的盒子裂了，汤包也漏了 => return.damaged @fault-symptom
    这个牛肉干是真牛肉吗 => product.info @authenticity-warranty
    坚果礼盒送客户合适吗，有没有手提袋 => product.info @usage
    饼干是甜的还是咸的 => product.info @usage
    一箱有多少小包 => product.info @care-spec
    香辣味还有货吗 => product.stock @stock
    公司年货要一百盒，能便宜点吗 => haggle.bargain @haggle
    零食能开公司抬头的发票吗 => payment.invoice @invoice
    吃着很香，一点不腻，又下了一单 => greeting.thanks @praise
  `),
  fresh: seeds(`
    芒果放了三天还是硬的，切开里面是白的 => return.damaged @fault-symptom
    牛排解冻以后一股怪味，不敢吃 => return.damaged @fault-symptom
    小龙虾到的时候一半都不动了 => return.damaged @fault-symptom
    西瓜切开是白瓤的 => return.damaged @fault-symptom
    鸡蛋箱子湿了，好几个蛋壳有裂纹 => return.damaged @fault-symptom
    葡萄一拎就掉，好多都是烂的 => return.damaged @fault-symptom
    草莓是奶油草莓吗，甜不甜 => product.info @usage
    车厘子是智利的还是国产的 => product.info @care-spec
    蓝莓洗了直接吃还是要泡 => product.info @usage
    大闸蟹是活的发过来吗 => product.info @usage
    牛排可以直接煎吗，要腌吗 => product.info @usage
    特大果的还有吗 => product.stock @stock
    明天能发吗，我想周末吃上 => delivery.ship_time @ship-time
    买两箱能不能便宜十块 => haggle.bargain @haggle
    车厘子很甜很脆，孩子一口气吃了半斤 => greeting.thanks @praise
  `),
  'tea-drinks': seeds(`
    茶叶泡出来一股烟熏味，跟以前买的不一样 => return.damaged @fault-symptom
    挂耳咖啡的滤袋一倒水就破了 => return.damaged @fault-symptom
    酸奶收到的时候是温的，冰袋全化了 => return.damaged @fault-symptom
    红酒瓶口在渗酒，标签都湿了 => return.damaged @fault-symptom
    蜂蜜上面浮着一层白沫 => return.damaged @fault-symptom
    一箱水里有几瓶是半瓶 => return.damaged @wrong-missing
    普洱是哪一年的料 => product.info @care-spec
    这款咖啡豆适合做手冲吗 => product.info @usage
    茶叶罐能密封吗，怕受潮 => product.info @care-spec
    燕麦奶能打奶泡吗 => product.info @usage
    500g的礼盒装还有吗 => product.stock @stock
    买十盒茶叶能给批发价吗 => haggle.bargain @haggle
    茶叶很香，泡了好几道还有味 => greeting.thanks @praise
  `),
  baby: seeds(`
    奶瓶用热水一烫就变形了 => return.damaged @fault-symptom
    湿巾扯出来一股酒精味，宝宝脸都红了 => return.damaged @fault-symptom
    婴儿车的遮阳棚拉不开 => return.damaged @fault-symptom
    吸奶器吸着吸着就没吸力了 => return.damaged @fault-symptom
    温奶器温度显示40度，奶是凉的 => return.damaged @fault-symptom
    宝宝餐椅的托盘卡不上去 => return.damaged @fault-symptom
    奶粉罐上的日期跟订单说的不一样 => return.damaged @wrong-missing
    宝宝三个月，纸尿裤用S还是M => product.size_color @size-fit
    婴儿车能不能上地铁，收起来多大 => product.size_color @size-fit
    奶粉是新国标配方吗 => product.info @care-spec
    奶嘴是几个月用的，十字孔吗 => product.info @usage
    安全座椅新生儿能坐吗，能躺吗 => product.info @usage
    连体衣有没有护脚 => product.info @usage
    二段奶粉整箱还有吗 => product.stock @stock
    会员日奶粉有没有满减 => haggle.bargain @haggle
    宝宝用了不红屁屁，继续回购 => greeting.thanks @praise
  `),
  toys: seeds(`
    积木拼好一碰就垮，插不紧 => return.damaged @fault-symptom
    遥控车往前开，它往后退 => return.damaged @fault-symptom
    早教机唱了两首歌就没声了 => return.damaged @fault-symptom
    毛绒玩具的眼睛是歪的 => return.damaged @fault-symptom
    拼图有两块一模一样，缺了一块 => return.damaged @wrong-missing
    滑板车的轮子灯不亮 => return.damaged @fault-symptom
    电子琴一开就有杂音 => return.damaged @fault-symptom
    两岁半的孩子玩这个会不会太难 => product.info @usage
    这套积木能和别的牌子拼在一起吗 => product.info @usage
    遥控飞机新手能飞吗 => product.info @usage
    玩具有没有尖角，会不会划到手 => product.info @usage
    1000片的拼图还有货吗 => product.stock @stock
    玩具买两个能送电池吗 => haggle.bargain @haggle
    孩子每天抱着睡，很喜欢 => greeting.thanks @praise
  `),
  pets: seeds(`
    猫吃了这个粮以后一直挠耳朵 => return.damaged @fault-symptom
    冻干打开是潮的，捏着软软的 => return.damaged @fault-symptom
    自动喂食器出粮的时候卡住，一直响 => return.damaged @fault-symptom
    饮水机用了三天就不循环了 => return.damaged @fault-symptom
    牵引绳的扣子生锈了 => return.damaged @fault-symptom
    猫砂盆的盖子扣不上 => return.damaged @fault-symptom
    狗粮颗粒里混着碎渣和粉末 => return.damaged @fault-symptom
    两个月的小猫能吃冻干吗 => product.info @usage
    猫砂能不能混着用 => product.info @usage
    这个驱虫药要按体重用吗 => product.info @usage
    航空箱能不能上高铁 => product.info @usage
    柯基穿多大的衣服 => product.size_color @size-fit
    三文鱼味的还有吗 => product.stock @stock
    猫粮能不能买一袋送一袋 => haggle.bargain @haggle
    狗狗很爱吃，碗都舔干净了 => greeting.thanks @praise
  `),
};
