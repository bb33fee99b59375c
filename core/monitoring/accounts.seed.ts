import { inArray } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { users } from '../../db/schema';
import { DEMO_LOGINS, DEMO_PASSWORD, insertDemoUser } from '../accounts/accounts.seed';
import type { AccountService } from '../accounts/accounts.service';
import { hashPassword } from '../accounts/passwords';
import { seedCompletedOrder, type MallOrderSeedHost } from '../mall/orders.seed';
import type { OrganisationService } from '../organisations/organisations.service';
import { createSeedSteps, type SeedSteps } from '../platform/seed-steps';
import type { Actor } from '../shared/actor';
import type { MonitoringAccountService } from './accounts.service';

/** What the monitoring accounts seed uses of the platform. */
export interface MonitoringAccountsSeedHost {
  db: Db;
  services: {
    monitoringAccounts: MonitoringAccountService;
    accounts: Pick<AccountService, 'actorForUser'>;
    organisations: Pick<OrganisationService, 'createWithOwner'>;
  } & MallOrderSeedHost['services'];
}

/** The demo logins of monitoring (password DEMO_PASSWORD; also 短信登录 with the mobile). */
export const DEMO_MONITORING = [
  { username: 'gdfpb', mobile: '13900000201', name: '广东省乡村振兴局', contact: '省级管理员', kind: 'government' },
  { username: 'gzfpb', mobile: '13900000202', name: '广州市乡村振兴局', contact: '广州市管理员', kind: 'government' },
  { username: 'gzshenhe', mobile: '13900000203', name: '广州市乡村振兴局', contact: '广州市审核员', kind: 'government' },
  { username: 'jiangnan', mobile: '13900000204', name: '广州江南果菜批发市场', contact: '江南市场经理', kind: 'enterprise' },
  { username: 'jnpifa', mobile: '13900000205', name: '广州丰收果蔬商行', contact: '丰收商行老板', kind: 'enterprise' },
  { username: 'crvgz', mobile: '13900000206', name: '华润万家广州总店', contact: '华润万家采购', kind: 'enterprise' },
  { username: 'crvstore', mobile: '13900000207', name: '华润万家天河店', contact: '天河店店长', kind: 'enterprise' },
  { username: 'gzdianshang', mobile: '13900000208', name: '广州农品汇电商', contact: '农品汇运营', kind: 'enterprise' },
  { username: 'gzqiye', mobile: '13900000209', name: '广州粤丰食品有限公司', contact: '粤丰食品采购', kind: 'enterprise' },
  { username: 'szfpb', mobile: '13900000210', name: '深圳市乡村振兴局', contact: '深圳市管理员', kind: 'government' },
  { username: 'gdxiezuo', mobile: '13900000211', name: '广东东西部扶贫协作交易市场', contact: '协作市场经理', kind: 'enterprise' },
] as const;
type DemoKey = (typeof DEMO_MONITORING)[number]['username'];

for (const d of DEMO_MONITORING)
  if (!DEMO_LOGINS.some((l) => l.username === d.username))
    DEMO_LOGINS.push({ username: d.username, organisation: d.name, kind: d.kind as (typeof DEMO_LOGINS)[number]['kind'] });

/**
 * Demo monitoring accounts, opened through the service as the people would: the demo users exist first (with
 * the demo password), so each opening finds the mobile on the platform and the person joins. The province
 * (gdfpb) opens 广州 and 深圳; 广州 an auditor, a market, a chain and an e-commerce platform; the market a
 * wholesaler, the chain a store; the province a market listed under it (单列); an enterprise registers itself
 * and has a completed mall order. Each opening is a recorded step (its result the organisation opened): an
 * interrupted seed resumes with what is missing.
 */
export async function seedDemoMonitoringAccounts(
  p: MonitoringAccountsSeedHost,
  log: (line: string) => void,
  steps: SeedSteps = createSeedSteps(p.db),
): Promise<void> {
  const svc = p.services.monitoringAccounts;
  const step = steps.step;
  const ids = await step('monitoring:accounts:users', () => seedDemoUsers(p.db));
  const as = async (key: DemoKey, organisationId: string): Promise<Actor> => {
    const a = await p.services.accounts.actorForUser(ids[key]);
    return { ...a, organisation: a.memberships.find((m) => m.organisationId === organisationId) };
  };
  const d = Object.fromEntries(DEMO_MONITORING.map((x) => [x.username, x])) as Record<DemoKey, (typeof DEMO_MONITORING)[number]>;
  const person = (k: DemoKey) => ({ contactName: d[k].contact, mobile: d[k].mobile });
  const org = (o: { organisationId: string }) => ({ organisationId: o.organisationId });

  if (!(await steps.isDone('monitoring:accounts:opened'))) log('  seeding monitoring accounts (province, 广州, 深圳, channels, sub-accounts, an enterprise)');
  // The province is opened by an operator; the seed acts as one with the province administrator's own user.
  const province = await step('monitoring:accounts:province', async () => {
    const opener = { ...(await p.services.accounts.actorForUser(ids.gdfpb)), isOperator: true };
    return org(await svc.createDepartment(opener, { kind: 'province', name: d.gdfpb.name, ...person('gdfpb') }));
  });
  const gdfpb = () => as('gdfpb', province.organisationId);
  const gz = await step('monitoring:accounts:city:440100', async () =>
    org(await svc.createCity(await gdfpb(), { cityCode: '440100', name: d.gzfpb.name, ...person('gzfpb') })),
  );
  await step('monitoring:accounts:city:440300', async () =>
    org(await svc.createCity(await gdfpb(), { cityCode: '440300', name: d.szfpb.name, ...person('szfpb') })),
  );
  await step('monitoring:accounts:channel:gdxiezuo', async () =>
    org(await svc.createChannel(await gdfpb(), { kind: 'market', name: d.gdxiezuo.name, ...person('gdxiezuo') })),
  );
  const gzfpb = () => as('gzfpb', gz.organisationId);
  await step('monitoring:accounts:auditor:gzshenhe', async () => {
    await svc.createAuditor(await gzfpb(), person('gzshenhe'));
    return null;
  });
  const market = await step('monitoring:accounts:channel:jiangnan', async () =>
    org(await svc.createChannel(await gzfpb(), { kind: 'market', name: d.jiangnan.name, ...person('jiangnan') })),
  );
  const chain = await step('monitoring:accounts:channel:crvgz', async () =>
    org(await svc.createChannel(await gzfpb(), { kind: 'chain', name: d.crvgz.name, ...person('crvgz') })),
  );
  await step('monitoring:accounts:channel:gzdianshang', async () =>
    org(await svc.createChannel(await gzfpb(), { kind: 'ecommerce', name: d.gzdianshang.name, ...person('gzdianshang') })),
  );
  await step('monitoring:accounts:sub:jnpifa', async () =>
    org(await svc.createSubAccount(await as('jiangnan', market.organisationId), { name: d.jnpifa.name, ...person('jnpifa') })),
  );
  await step('monitoring:accounts:sub:crvstore', async () =>
    org(await svc.createSubAccount(await as('crvgz', chain.organisationId), { name: d.crvstore.name, ...person('crvstore') })),
  );
  // An enterprise already on the platform (it buys in the mall) registers itself in its city.
  const enterprise = await step('monitoring:accounts:enterprise:gzqiye', async () => {
    const o = await p.db.transaction((tx) =>
      p.services.organisations.createWithOwner(tx, { kind: 'enterprise', fullName: d.gzqiye.name, uscc: null, regionCode: '440100' }, ids.gzqiye),
    );
    return { organisationId: o.id };
  });
  await step('monitoring:accounts:register:gzqiye', async () => {
    await svc.registerExistingOrganisation(await as('gzqiye', enterprise.organisationId), { cityCode: '440100' });
    return null;
  });
  await steps.markDone('monitoring:accounts:opened');
  // One completed mall order of the enterprise (罗城毛葡萄 from the mall's demo 罗城 merchant, an assisted
  // county), so 商城订单转记录 has something to turn into a record; the mall writes it (nothing without its demo).
  await step('monitoring:accounts:mall-order:gzqiye', async () => {
    const order = await seedCompletedOrder(p, {
      orderNo: 'MO202609100000000209',
      buyerUserId: ids.gzqiye,
      unitId: enterprise.organisationId,
      productName: '罗城毛葡萄 5 斤装',
      quantity: 40,
      address: { recipient: '粤丰食品采购', mobile: '13900000209', regionCode: '440106', detail: '天河路 208 号 粤丰食品仓库' },
      placedAt: new Date('2026-09-10T02:30:00Z'),
      completedAt: new Date('2026-09-18T06:00:00Z'),
    });
    if (order) log('  seeded a completed mall order of 广州粤丰食品有限公司 (罗城毛葡萄)');
    return order ?? null;
  });
}

/**
 * The demo people, with the demo password and a welcome message, in one transaction; the ids by username.
 * Those already there (a start interrupted after this commit) are kept as they are.
 */
async function seedDemoUsers(db: Db): Promise<Record<DemoKey, string>> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  return db.transaction(async (tx) => {
    const names = DEMO_MONITORING.map((x) => x.username);
    const there = await tx.select({ id: users.id, username: users.username }).from(users).where(inArray(users.username, names));
    const ids = Object.fromEntries(there.map((u) => [u.username, u.id])) as Record<DemoKey, string>;
    for (const d of DEMO_MONITORING) {
      if (ids[d.username]) continue;
      const u = await insertDemoUser(tx, { username: d.username, mobile: d.mobile, displayName: d.contact }, passwordHash, {
        title: '消费扶贫监测演示账号',
        body: `这是消费扶贫监测的演示账号（${d.name}）。密码 ${DEMO_PASSWORD}，也可以用手机号和短信验证码登录。`,
        link: '/monitoring',
      });
      ids[d.username] = u.id;
    }
    return ids;
  });
}
