import type { DemoMerchant, DemoProduct } from './mall.seed';

/** [name, category, price (yuan), unit, stock, colour, description]: one demo product, listed in the merchant's county. */
type Row = [string, string, number, string, number, string, string];

const products = (originCode: string, rows: Row[], featured: string[] = []): DemoProduct[] =>
  rows.map(([name, categoryCode, yuan, unit, stock, colour, description]) => ({
    name,
    categoryCode,
    originCode,
    priceFen: Math.round(yuan * 100),
    unit,
    stock,
    colour,
    description,
    featured: featured.includes(name) || undefined,
  }));

/**
 * The mall's further demo merchants (each seeded by a step of its own, like 罗城): tea and bamboo from
 * 井冈山, crafts and snacks from 秀山, lake produce from 鄱阳, rice wine and pastries from 石城, and more of
 * what the first five merchants sell — so every category of the mall has something to browse.
 */
export const MORE_MERCHANTS: DemoMerchant[] = [
  {
    username: 'jinggang',
    mobile: '13900000036',
    displayName: '井冈山茶业合作社 肖社长',
    fullName: '井冈山市茅坪乡茶叶专业合作社',
    uscc17: '93360881MA39C6TQ3',
    regionCode: '360881',
    contactPhone: '0796-6556218',
    products: products(
      '360881',
      [
        ['井冈山明前绿茶 250g', 'tea.green', 168, '罐', 300, '#6aa84f', '海拔 800 米高山茶园，明前单芽手工炒制，汤色嫩绿，栗香持久。'],
        ['井冈山红茶 200g', 'tea.black', 128, '盒', 260, '#9c3d1f', '当季一芽二叶全发酵，蜜香甜润，耐冲泡。'],
        ['井冈山云雾茶礼盒', 'tea.green', 268, '盒', 120, '#4f8f5f', '两罐装礼盒，适合单位节日慰问。'],
        ['井冈山野生葛根粉 500g', 'tea.drink', 58, '袋', 400, '#c9b48a', '野生葛根水磨沉淀，开水冲调即食。'],
        ['井冈山竹筒饭（6 筒装）', 'snack.pastry', 49.9, '盒', 500, '#7aa05a', '新鲜毛竹装米蒸制，加热即食。'],
        ['井冈山竹编茶具收纳盒', 'craft.bamboo', 89, '个', 150, '#b98a4b', '本地毛竹手工编织，防潮透气。'],
        ['井冈山竹制砧板', 'craft.bamboo', 69, '块', 200, '#caa164', '整竹压制，不开裂不掉渣。'],
        ['井冈山黄桃罐头 6 瓶', 'snack.dried', 59.9, '箱', 300, '#f2b134', '当季黄桃，低糖配方。'],
      ],
      ['井冈山明前绿茶 250g'],
    ),
  },
  {
    username: 'xiushan',
    mobile: '13900000037',
    displayName: '秀山土家手艺合作社 田主任',
    fullName: '秀山土家族苗族自治县清溪场镇手工艺专业合作社',
    uscc17: '93500241MA61D4RU8',
    regionCode: '500241',
    contactPhone: '023-76662135',
    products: products(
      '500241',
      [
        ['秀山土家织锦桌旗', 'craft.weaving', 198, '条', 80, '#b23a48', '西兰卡普传统纹样，纯手工织造，每条约 7 天。'],
        ['秀山苗绣零钱包', 'craft.weaving', 68, '个', 200, '#2f5d8a', '苗族绣娘手工刺绣，图案各不相同。'],
        ['秀山竹编果篮', 'craft.bamboo', 88, '个', 120, '#c9a36b', '楠竹篾丝编织，可作水果篮与收纳篮。'],
        ['秀山土家腊牛肉 500g', 'meat.beef', 118, '袋', 200, '#7b2d26', '本地黄牛肉柴火烟熏，切片蒸炒皆宜。'],
        ['秀山麻辣牛肉干 200g', 'snack.dried', 45, '袋', 600, '#a0422a', '手撕牛肉干，麻辣鲜香。'],
        ['秀山米豆腐 2kg', 'snack.pastry', 36, '袋', 300, '#efe2bf', '土家传统小吃，凉拌、热炒都好吃。'],
        ['秀山金银花茶 100g', 'tea.drink', 39, '罐', 400, '#e8c15a', '秀山金银花之乡，清热泡饮。'],
        ['秀山土家辣椒酱 2 瓶', 'seasoning.sauce', 39.9, '组', 500, '#c0392b', '本地二荆条辣椒发酵，下饭拌面。'],
      ],
      ['秀山土家织锦桌旗'],
    ),
  },
  {
    username: 'poyang',
    mobile: '13900000038',
    displayName: '鄱阳湖渔业合作社 程社长',
    fullName: '鄱阳县莲湖乡渔业专业合作社',
    uscc17: '93361128MA38E2KP5',
    regionCode: '361128',
    contactPhone: '0793-6268899',
    products: products(
      '361128',
      [
        ['鄱阳湖银鱼干 250g', 'aquatic.dried', 69, '袋', 300, '#7fb3c4', '湖区银鱼日晒风干，蒸蛋、煮汤鲜美。'],
        ['鄱阳湖大闸蟹（4 对装）', 'aquatic.fish', 298, '盒', 100, '#4b7a6b', '湖区生态养殖，公 3.5 两、母 2.5 两，顺丰冷链。'],
        ['鄱阳湖鳙鱼（冷鲜整条）', 'aquatic.fish', 88, '条', 150, '#5d8aa8', '约 3 斤，现捕现杀，冰鲜直发。'],
        ['鄱阳湖小鱼干 500g', 'aquatic.dried', 49, '袋', 400, '#8aa6a3', '湖区小杂鱼晒干，香辣下饭。'],
        ['鄱阳湖藜蒿 2 斤', 'fresh.vegetable', 32, '袋', 300, '#5a8f3c', '湖洲野生藜蒿，清香脆嫩，配腊肉炒。'],
        ['鄱阳湖咸鸭蛋 20 枚', 'meat.egg', 59, '盒', 300, '#7fb0a5', '湖区放养麻鸭蛋，红油起沙。'],
        ['鄱阳湖大米 10kg', 'grain.rice', 79, '袋', 500, '#e0c27a', '湖区一季晚稻，米粒饱满，口感软糯。'],
        ['鄱阳县手工米粉 2kg', 'grain.noodle', 29.9, '袋', 600, '#eee3c8', '早稻米石磨米浆，手工晾晒，久煮不烂。'],
      ],
      ['鄱阳湖大闸蟹（4 对装）'],
    ),
  },
  {
    username: 'shicheng',
    mobile: '13900000039',
    displayName: '石城客家食品合作社 温经理',
    fullName: '石城县琴江镇客家食品专业合作社',
    uscc17: '93360735MA38F7LN2',
    regionCode: '360735',
    contactPhone: '0797-5712266',
    products: products(
      '360735',
      [
        ['石城客家米酒 2.5L', 'liquor.fruit', 68, '桶', 300, '#b77bd1', '糯米酒曲自然发酵，甜润醇香。'],
        ['石城白莲 500g', 'mountain.nut', 79, '袋', 400, '#f1e6cf', '石城通心白莲，粒大饱满，易煮烂。'],
        ['石城客家米酒（礼盒两瓶）', 'liquor.fruit', 128, '盒', 150, '#8e44ad', '陈酿三年客家米酒，适合节日馈赠。'],
        ['赣南高粱白酒 500ml', 'liquor.baijiu', 98, '瓶', 200, '#9b2f4a', '本地高粱纯粮固态发酵，52 度。'],
        ['石城客家擂茶 500g', 'tea.drink', 45, '袋', 300, '#8ab06d', '芝麻、花生与茶叶擂制，冲调即饮。'],
        ['石城客家米果 1kg', 'snack.pastry', 36, '袋', 500, '#e5a552', '传统工艺蒸制，可煎可煮。'],
        ['石城客家米醋 500ml', 'seasoning.vinegar', 22, '瓶', 400, '#7a4a2a', '糯米发酵，酸香柔和。'],
        ['石城荞麦粉 2kg', 'grain.flour', 32, '袋', 400, '#a38b67', '本地苦荞石磨，做面条与饼。'],
      ],
      ['石城客家米酒 2.5L'],
    ),
  },
];

/** More products of the first five merchants, listed after theirs (by username). */
export const MORE_PRODUCTS: Record<string, DemoProduct[]> = {
  fuxi: products('360731', [
    ['于都富硒鸡蛋 30 枚', 'meat.egg', 45, '盒', 400, '#e0b27a', '富硒玉米喂养的土鸡蛋，蛋黄橙红。'],
    ['于都梓山富硒大米 5kg', 'grain.rice', 59.9, '袋', 500, '#e3c57d', '富硒土壤种植，米香浓郁。'],
    ['于都酱萝卜干 500g', 'snack.dried', 19.9, '袋', 800, '#c48a3b', '客家传统腌制，脆爽下饭。'],
  ]),
  huatian: products('500242209', [
    ['酉阳土家腊猪蹄', 'meat.pork', 88, '只', 200, '#7e3a24', '土家柴火熏制，炖汤软糯。'],
    ['酉阳苦荞茶 300g', 'tea.drink', 39, '罐', 300, '#b8893c', '黑苦荞炒制，麦香浓郁。'],
  ]),
  chengkou: products('500229102', [
    ['城口山地鸡蛋 30 枚', 'meat.egg', 56, '盒', 300, '#d8a765', '林下散养土鸡蛋。'],
    ['城口高山土豆粉 1kg', 'grain.noodle', 26, '袋', 500, '#d9c9a3', '高山土豆淀粉手工制作，爽滑筋道。'],
    ['城口野生猕猴桃 5 斤', 'fresh.fruit', 58, '箱', 300, '#7a9a3a', '大巴山野生猕猴桃，酸甜适口。'],
  ]),
  wuxi: products('500238118', [
    ['巫溪洋芋片 200g', 'snack.dried', 16.8, '袋', 800, '#e8b547', '高山洋芋切片烘烤，非油炸。'],
    ['巫溪野生木耳 250g', 'mountain.mushroom', 48, '袋', 300, '#4a3b33', '高山椴木黑木耳，泡发率高。'],
    ['巫溪老鹰茶 200g', 'tea.drink', 36, '罐', 300, '#a05a2c', '大宁河畔老鹰茶，解暑消食。'],
  ]),
  luocheng: products('451225100', [
    ['罗城毛葡萄酒 750ml', 'liquor.fruit', 88, '瓶', 300, '#5b2a6e', '野生毛葡萄酿造，果香浓郁。'],
    ['罗城野生山茶油 2.5L', 'grain.oil', 198, '桶', 150, '#c7a03c', '仫佬山区野生油茶籽冷榨。'],
    ['罗城腐竹 500g', 'grain.noodle', 29.9, '袋', 500, '#e6c98f', '黄豆手工制作，泡发不碎。'],
  ]),
};
