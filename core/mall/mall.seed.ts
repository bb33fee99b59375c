import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import type { AccountService } from '../accounts/accounts.service';
import type { AddressService } from './addresses.service';
import type { CatalogService } from './catalog.service';
import type { FileService } from '../files/files.service';
import type { OrganisationService } from '../organisations/organisations.service';
import type { Actor } from '../shared/actor';
import { productPicture } from './product-art';
import { seedDemoOrderHistory, type MallOrderSeedHost } from './orders.seed';
import { MORE_MERCHANTS, MORE_PRODUCTS } from './catalog.seed';
import { searchVector } from '../shared/search-text';
import { usccCheckCharacter } from '../shared/validators';
import { createSeedSteps, type SeedSteps } from '../platform/seed-steps';
import { hashPassword } from '../accounts/passwords';
import type { UnitAttributeKind } from './units.schema';
import { memberships, organisations, siteMessages, users } from '../../db/schema';
import { unitsRepo } from './units.repo';
import { DEMO_LOGINS, DEMO_PASSWORD, insertDemoUser } from '../accounts/accounts.seed';

const uscc = (first17: string) => first17 + usccCheckCharacter(first17);

interface DemoUnit {
  username: string;
  mobile: string;
  displayName: string;
  fullName: string;
  uscc17: string;
  attributeKind: UnitAttributeKind;
  attributeGroupCode: string | null;
  regionCode: string;
}

/** The units of the manual's examples (一(一)(1)), plus the unit its lookup example finds (“村头”). */
const UNITS: DemoUnit[] = [
  {
    username: 'shuilibu',
    mobile: '13900000041',
    displayName: '水利部 采购联络员',
    fullName: '水利部',
    uscc17: '11100000000013127',
    attributeKind: 'central',
    attributeGroupCode: 'central.mwr',
    regionCode: '110102',
  },
  {
    username: 'dezhou',
    mobile: '13900000042',
    displayName: '德州农业农村局 孙科长',
    fullName: '德州市农业农村局',
    uscc17: '11371400004350512',
    attributeKind: 'shandong',
    attributeGroupCode: 'shandong.3714',
    regionCode: '371402',
  },
  {
    username: 'cqcfzy',
    mobile: '13900000043',
    displayName: '财经学院 工会 周老师',
    fullName: '重庆财经职业学院',
    uscc17: '12500000450412367',
    attributeKind: 'city_group',
    attributeGroupCode: 'group.gov_office',
    regionCode: '500118',
  },
  {
    username: 'youyangfgw',
    mobile: '13900000044',
    displayName: '酉阳县发改委 办公室',
    fullName: '酉阳县发改委',
    uscc17: '11500242009012846',
    attributeKind: 'other',
    attributeGroupCode: null,
    regionCode: '500242',
  },
  {
    username: 'taipingcun',
    mobile: '13900000045',
    displayName: '太平村 村委会',
    fullName: '永川区双石镇太平村村委会',
    uscc17: '54500118MEA12345X',
    attributeKind: 'other',
    attributeGroupCode: null,
    regionCode: '500118113',
  },
  {
    username: 'cuntou',
    mobile: '13900000046',
    displayName: '村头科技 行政部',
    fullName: '重庆村头科技发展有限公司',
    uscc17: '91500118MA60XK3T2',
    attributeKind: 'other',
    attributeGroupCode: null,
    regionCode: '500118',
  },
];

/** A government department (所辖区域消费统计) over 酉阳, where two of the demo merchants are. */
const GOVERNMENTS = [
  {
    username: 'youyangzx',
    mobile: '13900000047',
    displayName: '酉阳县乡村振兴局 统计员',
    fullName: '酉阳县乡村振兴局',
    uscc17: '11500242MB1970526',
    regionCode: '500242',
  },
];

/** Two employees of 重庆财经职业学院, registered as individuals under it. */
const INDIVIDUALS = [
  { username: 'liuyang', mobile: '13900000051', realName: '刘洋', regionCode: '500118001', note: '会计学院', unit: '重庆财经职业学院' },
  { username: 'chenjing', mobile: '13900000052', realName: '陈静', regionCode: '500118', note: '工会', unit: '重庆财经职业学院' },
];

export interface DemoProduct {
  name: string;
  categoryCode: string;
  originCode: string;
  priceFen: number;
  unit: string;
  stock: number;
  description: string;
  colour: string;
  featured?: boolean;
}

export interface DemoMerchant {
  username: string;
  mobile: string;
  displayName: string;
  fullName: string;
  /** Absent: the organisation already exists (seeded by demo.ts) and gets its owner here. */
  uscc17?: string;
  regionCode: string;
  contactPhone: string;
  products: DemoProduct[];
}

const MERCHANTS: DemoMerchant[] = [
  {
    username: 'fuxi',
    mobile: '13900000031',
    displayName: '富硒合作社 钟社长',
    fullName: '于都县梓山镇富硒蔬菜专业合作社',
    regionCode: '360731',
    contactPhone: '0797-6321088',
    products: [
      {
        name: '梓山富硒蔬菜礼盒（8 种时令蔬菜）',
        categoryCode: 'fresh.vegetable',
        originCode: '360731105',
        priceFen: 6_800,
        unit: '箱',
        stock: 300,
        colour: '#3f8f3a',
        featured: true,
        description: '梓山镇富硒土壤种植，当天采摘，冷链发货。每箱约 5 公斤，含辣椒、茄子、豆角、黄瓜等 8 种时令蔬菜。',
      },
      {
        name: '于都富硒红薯 5 斤装',
        categoryCode: 'fresh.vegetable',
        originCode: '360731105',
        priceFen: 2_990,
        unit: '袋',
        stock: 500,
        colour: '#a4553a',
        description: '沙壤地种植的红心红薯，软糯香甜，适合蒸煮烤。',
      },
      {
        name: '赣南脐橙 10 斤装',
        categoryCode: 'fresh.citrus',
        originCode: '360731',
        priceFen: 5_980,
        unit: '箱',
        stock: 400,
        colour: '#f08a1c',
        description: '果园直发，单果 75–85 mm，皮薄多汁。坏果包赔。',
      },
    ],
  },
  {
    username: 'huatian',
    mobile: '13900000032',
    displayName: '花田贡米合作社 冉经理',
    fullName: '酉阳县花田乡贡米专业合作社',
    uscc17: '93500242MA5YH7T1X',
    regionCode: '500242209',
    contactPhone: '023-75563218',
    products: [
      {
        name: '花田贡米 5kg',
        categoryCode: 'grain.rice',
        originCode: '500242209',
        priceFen: 8_800,
        unit: '袋',
        stock: 800,
        colour: '#d9b44a',
        featured: true,
        description: '酉阳花田乡梯田种植，一年一季，山泉水灌溉。5 公斤真空包装，当季新米。',
      },
      {
        name: '酉阳青花椒 250g',
        categoryCode: 'seasoning.chili',
        originCode: '500242209',
        priceFen: 3_600,
        unit: '袋',
        stock: 600,
        colour: '#4f7a2a',
        description: '麻味足、香气浓，晒干去籽，炒菜、火锅、卤味皆宜。',
      },
      {
        name: '酉阳山茶油 1L',
        categoryCode: 'grain.oil',
        originCode: '500242',
        priceFen: 12_800,
        unit: '瓶',
        stock: 200,
        colour: '#c7a03c',
        description: '武陵山区野生油茶籽物理压榨，清亮不腻。',
      },
    ],
  },
  {
    username: 'chengkou',
    mobile: '13900000033',
    displayName: '巴山山货合作社 向主任',
    fullName: '城口县巴山镇山货专业合作社',
    uscc17: '93500229MA60B2QJ7',
    regionCode: '500229102',
    contactPhone: '023-59223366',
    products: [
      {
        name: '城口老腊肉',
        categoryCode: 'meat.pork',
        originCode: '500229102',
        priceFen: 9_800,
        unit: '斤',
        stock: 300,
        colour: '#8b3a2b',
        featured: true,
        description: '大巴山农家土猪，柴火烟熏 60 天以上，肥而不腻。',
      },
      {
        name: '城口山地鸡（整只约 3 斤）',
        categoryCode: 'meat.poultry',
        originCode: '500229102',
        priceFen: 16_800,
        unit: '只',
        stock: 120,
        colour: '#c9743a',
        description: '林下散养 300 天以上，宰杀后冷链发货。',
      },
      {
        name: '城口核桃 2 斤装',
        categoryCode: 'mountain.nut',
        originCode: '500229',
        priceFen: 3_900,
        unit: '袋',
        stock: 500,
        colour: '#8a6a45',
        description: '薄壳核桃，手可捏开，仁饱满。',
      },
    ],
  },
  {
    username: 'wuxi',
    mobile: '13900000034',
    displayName: '红池坝中蜂合作社 邓社长',
    fullName: '巫溪县红池坝镇中蜂养殖专业合作社',
    uscc17: '93500238MA5UK8W3N',
    regionCode: '500238118',
    contactPhone: '023-51523890',
    products: [
      {
        name: '红池坝中蜂土蜂蜜 500g',
        categoryCode: 'mountain.honey',
        originCode: '500238118',
        priceFen: 12_800,
        unit: '瓶',
        stock: 260,
        colour: '#e0a526',
        featured: true,
        description: '海拔 2000 米高山草场，中华蜂一年一取，自然成熟。',
      },
      {
        name: '巫溪洋芋 10 斤装',
        categoryCode: 'fresh.vegetable',
        originCode: '500238118',
        priceFen: 2_500,
        unit: '袋',
        stock: 700,
        colour: '#b89a5e',
        description: '高山黄心洋芋，沙面香糯，炖煮烧烤皆宜。',
      },
      {
        name: '巫溪党参 250g',
        categoryCode: 'mountain.herb',
        originCode: '500238',
        priceFen: 6_800,
        unit: '袋',
        stock: 150,
        colour: '#6b4b3a',
        description: '大宁河畔种植的党参，切片晒干，煲汤泡水。',
      },
    ],
  },
  {
    // Guangxi: an assisted county on purchase-record monitoring's list (451225), so the demo's 广州 enterprise
    // has a completed order that 商城订单转记录 can turn into a record. Added after the first four: its own step.
    username: 'luocheng',
    mobile: '13900000035',
    displayName: '罗城山货合作社 韦社长',
    fullName: '罗城仫佬族自治县东门镇山货专业合作社',
    uscc17: '93451225MA5P3L8K2',
    regionCode: '451225100',
    contactPhone: '0778-8212366',
    products: [
      {
        name: '罗城毛葡萄 5 斤装',
        categoryCode: 'fresh.fruit',
        originCode: '451225100',
        priceFen: 4_980,
        unit: '箱',
        stock: 400,
        colour: '#5b2a6e',
        featured: true,
        description: '九万大山野生毛葡萄驯化种植，果粒小、酸甜浓郁，可鲜食或自酿。产地直发。',
      },
      {
        name: '罗城野生香菇 250g',
        categoryCode: 'mountain.mushroom',
        originCode: '451225101',
        priceFen: 3_980,
        unit: '袋',
        stock: 500,
        colour: '#7a5230',
        description: '椴木种植，自然晾晒，肉厚味香，煲汤炒菜皆宜。',
      },
      {
        name: '罗城糯米 5kg',
        categoryCode: 'grain.rice',
        originCode: '451225',
        priceFen: 6_800,
        unit: '袋',
        stock: 600,
        colour: '#e8dcc0',
        description: '仫佬山乡梯田糯稻，软糯清香，包粽子、做糍粑、酿甜酒。',
      },
    ],
  },
];

MERCHANTS.push(...MORE_MERCHANTS);
for (const m of MERCHANTS) m.products.push(...(MORE_PRODUCTS[m.username] ?? []));

/** The mall's demo logins, printed at start with the others (DEMO_LOGINS). */
export const DEMO_MALL_LOGINS = [
  ...MERCHANTS.map((m) => ({ username: m.username, organisation: m.fullName, kind: 'merchant' as const })),
  ...UNITS.map((u) => ({ username: u.username, organisation: u.fullName, kind: 'unit' as const })),
  ...GOVERNMENTS.map((g) => ({ username: g.username, organisation: g.fullName, kind: 'government' as const })),
  ...INDIVIDUALS.map((i) => ({ username: i.username, organisation: `${i.unit}（个人用户 ${i.realName}）`, kind: 'unit' as const })),
];
for (const l of DEMO_MALL_LOGINS) if (!DEMO_LOGINS.some((d) => d.username === l.username)) DEMO_LOGINS.push(l);

/**
 * Demo data of the consumption-assistance mall, seeded once right after the base demo: the units of
 * the manual's examples with their logins, two employees of 重庆财经职业学院, the demo cooperative in
 * 于都 and three in Chongqing's assisted counties (酉阳, 城口, 巫溪) with listed products (pictures
 * generated here), some featured by the operator. Accounts are written like demo.ts does; products go
 * through the catalog service, so they get their thumbnails and search documents. Each part is a
 * recorded step: an interrupted seed resumes with what is missing. Returns false when the mall demo is
 * already complete.
 */
/** What the mall's seed uses of the platform (see SeedFn). */
export interface MallSeedHost {
  db: Db;
  services: {
    accounts: AccountService;
    catalog: CatalogService;
    addresses: AddressService;
    files: FileService;
    organisations: Pick<OrganisationService, 'createWithOwner'>;
  } & MallOrderSeedHost['services'];
}

export async function seedDemoMall(p: MallSeedHost, log: (line: string) => void = () => {}, steps: SeedSteps = createSeedSteps(p.db)): Promise<boolean> {
  const s = p.services;
  const step = steps.step;
  await step('mall:accounts', () => seedMallAccounts(p, log));
  for (const m of MERCHANTS.filter((x) => LATER_MERCHANTS.has(x.username))) await step(`mall:accounts:${m.username}`, () => seedLaterMerchant(p, m, log));

  const as = async (username: string): Promise<Actor> => {
    const u = await unitsRepo.findUserIdByUsername(p.db, username);
    return s.accounts.actorForUser(u!.id);
  };
  const operator = await as('operator');
  for (const m of MERCHANTS) {
    if (!(await steps.isDone(`mall:products:${m.username}`))) log(`  seeding products of ${m.fullName}`);
    const merchant = await as(m.username);
    for (const [i, item] of m.products.entries()) {
      const key = `mall:product:${m.username}:${i}`;
      const image = await step(`${key}:image`, async () =>
        s.files
          .upload(merchant, { filename: `${item.name}.jpg`, contentType: 'image/jpeg', bytes: await productPicture(item), imageOnly: true })
          .then((f) => ({ id: f.id })),
      );
      const { colour: _colour, featured, ...fields } = item;
      const product = await step(`${key}:create`, () =>
        s.catalog.createProduct(merchant, { ...fields, contactPhone: m.contactPhone, imageIds: [image.id] }).then((c) => ({ id: c.id })),
      );
      await step(`${key}:publish`, () => s.catalog.publish(merchant, product.id).then(() => null));
      if (featured) await step(`${key}:feature`, () => s.catalog.setFeatured(operator, product.id, true).then(() => null));
    }
    await steps.markDone(`mall:products:${m.username}`);
  }
  await step('mall:address:liuyang', async () => {
    log('  seeding delivery addresses');
    await s.addresses.create(await as('liuyang'), {
      recipient: '刘洋',
      mobile: '13900000051',
      regionCode: '500118001',
      detail: '中山路 1 号 重庆财经职业学院 会计学院办公室',
    });
    return null;
  });
  await step('mall:address:cqcfzy', () =>
    as('cqcfzy')
      .then((a) => s.addresses.create(a, { recipient: '周老师', mobile: '13900000043', regionCode: '500118001', detail: '中山路 1 号 重庆财经职业学院 工会' }))
      .then(() => null),
  );
  await seedDemoOrderHistory(p, new Date(), log, step);
  return steps.ran;
}

/**
 * The mall's units, governments, employees and merchants with their logins, in one transaction. Units
 * and employees are written by the mall's own repository, governments by the organisations service;
 * users, their welcome messages and merchants are written straight to the other contexts' tables:
 * registration would need an SMS code per account and a fixed demo password, which no service offers.
 */
async function seedMallAccounts(p: MallSeedHost, log: (line: string) => void) {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  return p.db.transaction(async (tx) => {
    if (await unitsRepo.findUserIdByUsername(tx, UNITS[0]!.username)) return false;
    log('  seeding mall units and merchants');
    const newUser = (values: { username: string; mobile: string; displayName: string }) =>
      insertDemoUser(tx, values, passwordHash, {
        title: '欢迎使用消费帮扶馆（演示数据）',
        body: `这是消费帮扶馆的演示账号。所有演示账号的密码都是 ${DEMO_PASSWORD}。`,
        link: '/account',
      });
    const unitIds = new Map<string, string>();
    for (const u of UNITS) {
      const user = await newUser(u);
      const unitId = await unitsRepo.insertUnit(tx, {
        fullName: u.fullName,
        uscc: uscc(u.uscc17),
        regionCode: u.regionCode,
        attributeKind: u.attributeKind,
        attributeGroupCode: u.attributeGroupCode,
        searchVector: searchVector({ a: u.fullName }),
        ownerUserId: user.id,
      });
      unitIds.set(u.fullName, unitId);
    }
    for (const g of GOVERNMENTS) {
      const user = await newUser(g);
      await p.services.organisations.createWithOwner(tx, { kind: 'government', fullName: g.fullName, uscc: uscc(g.uscc17), regionCode: g.regionCode }, user.id);
    }
    for (const i of INDIVIDUALS) {
      const user = await newUser({ username: i.username, mobile: i.mobile, displayName: i.realName });
      const unitId = unitIds.get(i.unit)!;
      // Demo employees the unit has already approved: members who may act for it as plain members.
      await unitsRepo.insertIndividual(tx, {
        userId: user.id,
        realName: i.realName,
        regionCode: i.regionCode,
        unitId,
        note: i.note,
        unitStatus: 'approved',
        unitDecidedAt: new Date(),
      });
      await unitsRepo.addMember(tx, user.id, unitId);
    }
    for (const m of MERCHANTS.filter((x) => !LATER_MERCHANTS.has(x.username))) {
      // The base demo's merchant may exist already: its mall login becomes a second owner, which the
      // organisations service does not offer, so merchants and their owners are written here.
      let [org] = await tx
        .select()
        .from(organisations)
        .where(and(eq(organisations.kind, 'merchant'), eq(organisations.fullName, m.fullName)));
      if (!org)
        [org] = await tx
          .insert(organisations)
          .values({ kind: 'merchant', fullName: m.fullName, uscc: m.uscc17 ? uscc(m.uscc17) : null, regionCode: m.regionCode })
          .returning();
      const user = await newUser(m);
      await tx.insert(memberships).values({ userId: user.id, organisationId: org!.id, role: 'owner' });
    }
    return true;
  });
}

/** Merchants added after the first mall demo: each seeded by a step of its own, so older demo databases get them too. */
const LATER_MERCHANTS = new Set(['luocheng', ...MORE_MERCHANTS.map((m) => m.username)]);

/** One later merchant with its owner login (nothing when the login exists already). */
async function seedLaterMerchant(p: MallSeedHost, m: DemoMerchant, log: (line: string) => void) {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  return p.db.transaction(async (tx) => {
    if (await unitsRepo.findUserIdByUsername(tx, m.username)) return false;
    log(`  seeding merchant ${m.fullName}`);
    const [org] = await tx
      .insert(organisations)
      .values({ kind: 'merchant', fullName: m.fullName, uscc: m.uscc17 ? uscc(m.uscc17) : null, regionCode: m.regionCode })
      .returning();
    const user = await insertDemoUser(tx, m, passwordHash, {
      title: '欢迎使用消费帮扶馆（演示数据）',
      body: `这是消费帮扶馆的演示账号。所有演示账号的密码都是 ${DEMO_PASSWORD}。`,
      link: '/account',
    });
    await tx.insert(memberships).values({ userId: user.id, organisationId: org!.id, role: 'owner' });
    return true;
  });
}
