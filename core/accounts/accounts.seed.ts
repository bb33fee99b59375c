import type { Db, DbOrTx } from '../../db/client';
import type { SeedFn } from '../platform/context';
import { memberships, organisations, platformSettings, siteMessages } from '../../db/schema';
import { accountsRepo } from './accounts.repo';
import { hashPassword } from './passwords';
import { usccCheckCharacter } from '../shared/validators';

/** Every demo account uses this password; the start-up banner prints it. */
export const DEMO_PASSWORD = 'Bangfu2026';

const uscc = (first17: string) => first17 + usccCheckCharacter(first17);

type Kind = typeof organisations.$inferInsert.kind;
interface DemoOrg {
  kind: Kind;
  fullName: string;
  uscc17?: string;
  regionCode: string;
  intro?: string;
  owner?: { username: string; mobile: string; email: string; displayName: string };
}

export const DEMO_ORGS: DemoOrg[] = [
  {
    kind: 'platform',
    fullName: '帮扶平台运营中心',
    regionCode: '360700',
    owner: { username: 'operator', mobile: '13900000001', email: 'operator@bangfu.example', displayName: '平台运营 小周' },
  },
  {
    kind: 'enterprise',
    fullName: '赣州市章贡区青禾食品有限公司',
    uscc17: '91360702MA35K8Q2X',
    regionCode: '360702',
    intro: '本地农副产品深加工企业，正在寻找财税和品牌设计服务。',
    owner: { username: 'qinghe', mobile: '13900000011', email: 'admin@qinghe.example', displayName: '青禾 刘经理' },
  },
  {
    kind: 'enterprise',
    fullName: '江西赣南稀土新材料科技有限公司',
    uscc17: '91360700MA38BT6W1',
    regionCode: '360700',
    intro: '新材料研发企业，需要知识产权与检测认证服务。',
    owner: { username: 'xitu', mobile: '13900000012', email: 'admin@xitu.example', displayName: '稀土 陈总' },
  },
  {
    kind: 'provider',
    fullName: '赣州诚信财税咨询有限公司',
    uscc17: '91360702MA35F3JD6',
    regionCode: '360702',
    intro: '代理记账、税务筹划、审计报告。服务本地中小企业十二年，客户 800 余家。',
    owner: { username: 'chengxin', mobile: '13900000021', email: 'service@chengxin.example', displayName: '诚信财税 王会计' },
  },
  {
    kind: 'provider',
    fullName: '江西知行知识产权代理有限公司',
    uscc17: '91360100MA35P9CL2',
    regionCode: '360100',
    intro: '商标注册、专利申请、版权登记与知识产权贯标，专利代理师 15 名。',
    owner: { username: 'zhixing', mobile: '13900000022', email: 'ip@zhixing.example', displayName: '知行 李代理人' },
  },
  {
    kind: 'provider',
    fullName: '赣州创想品牌设计工作室',
    uscc17: '92360702MA3AH5UY7',
    regionCode: '360702',
    intro: '品牌 VI、包装设计、电商详情页与短视频拍摄，为农产品打造好看的包装。',
    owner: { username: 'chuangxiang', mobile: '13900000023', email: 'hi@chuangxiang.example', displayName: '创想 张设计' },
  },
  { kind: 'government', fullName: '赣州市商务局', uscc17: '11360700014236509', regionCode: '360700' },
  { kind: 'unit', fullName: '赣州市第一中学', uscc17: '12360700491014560', regionCode: '360702' },
  { kind: 'merchant', fullName: '于都县梓山镇富硒蔬菜专业合作社', uscc17: '93360731MA37XR2K0', regionCode: '360731' },
  { kind: 'budget_unit', fullName: '赣州市财政局', uscc17: '11360700014236402', regionCode: '360700' },
];

/**
 * Seeds the demo data once: an operator, two enterprises, three providers with storefronts and a few
 * other organisations. Safe to call on every start: it does nothing when the operator exists.
 */
/**
 * A demo login with the demo password's hash and a welcome site message, inside the caller's seed
 * transaction (registration would need an SMS code per account and offers no fixed password).
 */
export async function insertDemoUser(
  tx: DbOrTx,
  values: { username: string; mobile: string; displayName: string; email?: string },
  passwordHash: string,
  welcome: { title: string; body: string; link: string },
) {
  const user = await accountsRepo.insertUser(tx, { ...values, passwordHash });
  await tx.insert(siteMessages).values({ userId: user.id, ...welcome });
  return user;
}

export async function seedDemo(db: Db, log: (line: string) => void = () => {}): Promise<boolean> {
  if (await accountsRepo.findUserByUsername(db, 'operator')) return false;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  return db.transaction(async (tx) => {
    // Several nodes may start at once: one seeds, the others wait here and then find the data.
    await accountsRepo.lockDemoSeed(tx);
    if (await accountsRepo.findUserByUsername(tx, 'operator')) return false;
    // Organisations (some without an owner), memberships, welcome messages and the seed's record are
    // other contexts' tables, written directly: no service founds an organisation without its owner.
    let i = 0;
    for (const o of DEMO_ORGS) {
      i++;
      log(`  seeding ${i}/${DEMO_ORGS.length}: ${o.fullName}`);
      const [org] = await tx
        .insert(organisations)
        .values({ kind: o.kind, fullName: o.fullName, uscc: o.uscc17 ? uscc(o.uscc17) : null, regionCode: o.regionCode, intro: o.intro })
        .returning();
      if (!o.owner) continue;
      const user = await insertDemoUser(tx, o.owner, passwordHash, {
        title: '欢迎使用帮扶平台（演示数据）',
        body: `这是为 ${o.fullName} 准备的演示账号。所有演示账号的密码都是 ${DEMO_PASSWORD}。`,
        link: '/account',
      });
      await tx.insert(memberships).values({ userId: user.id, organisationId: org!.id, role: 'owner' });
    }
    // Recorded with the accounts, so a later start can tell this seed from one of an earlier version.
    await tx
      .insert(platformSettings)
      .values({ key: 'demo_seed:base', value: { done: true, result: true } })
      .onConflictDoNothing();
    return true;
  });
}

export const DEMO_LOGINS = DEMO_ORGS.filter((o) => o.owner).map((o) => ({ username: o.owner!.username, organisation: o.fullName, kind: o.kind }));

/** The accounts context's seed step (named 'base' since the first seeds that recorded steps). */
export const seedBase: SeedFn<{ db: Db }> = (p, log, steps) => steps.step('base', () => seedDemo(p.db, log));
