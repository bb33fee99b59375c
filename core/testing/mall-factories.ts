import { randomUUID } from 'node:crypto';
import { addresses, individualProfiles, memberships, organisations, products, unitProfiles } from '../../db/schema';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import { signNotice, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../wallet/payment-gateway';
import { registerUser } from './factories';

/**
 * Mall test data written straight to the tables the registration and catalog services fill (the
 * order tests do not depend on those services): merchants with listed products, units with an admin,
 * individuals belonging to a unit, addresses; and signed gateway notices as the sandbox sends them.
 */

/** A user who owns an organisation of `kind`, signed in as it. */
async function owner(p: Platform, kind: 'merchant' | 'unit' | 'government', fullName: string, regionCode: string) {
  const u = await registerUser(p);
  const [org] = await p.db.insert(organisations).values({ kind, fullName, regionCode }).returning();
  await p.db.insert(memberships).values({ userId: u.actor.userId, organisationId: org!.id, role: 'owner' });
  const actor = (await p.services.accounts.validateSessionToken(u.token))!.actor;
  const active = actor.memberships.find((m) => m.organisationId === org!.id)!;
  return { ...u, actor: { ...actor, organisation: active } as Actor, org: org! };
}

export const merchant = (p: Platform, name = `酉阳县${randomUUID().slice(0, 4)}农产品专业合作社`, regionCode = '500242') =>
  owner(p, 'merchant', name, regionCode);

export async function unitBuyer(p: Platform, name = `重庆测试单位${randomUUID().slice(0, 4)}`) {
  const u = await owner(p, 'unit', name, '500118');
  await p.db.insert(unitProfiles).values({ organisationId: u.org.id, attributeKind: 'other', regionCode: '500118' });
  return u;
}

export const government = (p: Platform, name: string, regionCode: string) => owner(p, 'government', name, regionCode);

/** An employee registered under a unit (member role), buying as an individual. */
export async function individual(p: Platform, unitId: string | null, realName = '张三') {
  const u = await registerUser(p);
  if (unitId) await p.db.insert(memberships).values({ userId: u.actor.userId, organisationId: unitId, role: 'member' });
  await p.db.insert(individualProfiles).values({ userId: u.actor.userId, realName, regionCode: '500118', unitId });
  return { ...u, actor: (await p.services.accounts.validateSessionToken(u.token))!.actor };
}

export async function product(p: Platform, merchantId: string, over: Partial<typeof products.$inferInsert> = {}) {
  const [row] = await p.db
    .insert(products)
    .values({
      merchantId,
      name: '酉阳富硒大米',
      categoryCode: 'grain.rice',
      originCode: '500242',
      priceFen: 8_800,
      unit: '袋',
      stock: 100,
      status: 'listed',
      ...over,
    })
    .returning();
  return row!;
}

export async function address(p: Platform, userId: string) {
  const [row] = await p.db
    .insert(addresses)
    .values({ userId, recipient: '李四', mobile: '13800138000', regionCode: '500118113', detail: '太平村 3 组 12 号', isDefault: false })
    .returning();
  return row!;
}

/** The sandbox gateway's signed notice for a payment number (what arrives at /payments/notify). */
export function signedNotice(secret: string, notice: { orderNo: string; amountFen: number; result?: 'SUCCESS' | 'FAILED'; tradeNo?: string }) {
  const body = JSON.stringify({
    orderNo: notice.orderNo,
    tradeNo: notice.tradeNo ?? `T${randomUUID().slice(0, 12)}`,
    amountFen: notice.amountFen,
    result: notice.result ?? 'SUCCESS',
  });
  const ts = String(Date.now());
  return { headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signNotice(secret, ts, body), [TIMESTAMP_HEADER]: ts }, raw: body };
}

/** The test platform's gateway secret (APP_SECRET of core/testing/test-platform.ts). */
export const GATEWAY_SECRET = 'test-secret-0123456789:sandbox-gateway';

/** The manual's five unit registrations (水利部 … 太平村村委会): the form and the group and region they are shown under. */
export const MANUAL_UNIT_EXAMPLES = [
  { unitName: '水利部', attributeKind: 'central', attributeGroupCode: 'central.mwr', regionCode: '110102', group: '水利部', region: '北京市 西城区' },
  {
    unitName: '德州市农业农村局',
    attributeKind: 'shandong',
    attributeGroupCode: 'shandong.3714',
    regionCode: '371402',
    group: '德州市',
    region: '山东省 德州市 德城区',
  },
  {
    unitName: '重庆财经职业学院',
    attributeKind: 'city_group',
    attributeGroupCode: 'group.gov_office',
    regionCode: '500118',
    group: '市政府办公厅帮扶集团',
    region: '重庆市 永川区',
  },
  {
    unitName: '酉阳县发改委',
    attributeKind: 'other',
    attributeGroupCode: undefined,
    regionCode: '500242',
    group: null,
    region: '重庆市 酉阳土家族苗族自治县',
  },
  {
    unitName: '永川区双石镇太平村村委会',
    attributeKind: 'other',
    attributeGroupCode: '',
    regionCode: '500118113',
    group: null,
    region: '重庆市 永川区 双石镇',
  },
];
