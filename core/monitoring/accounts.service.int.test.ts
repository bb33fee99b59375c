import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { auditLog, memberships, monitoringMembers, monitoringUnits } from '../../db/schema';
import { createTestPlatform, latestCode } from '../testing/test-platform';
import { buildMobile, nextIp, registerUser } from '../testing/factories';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';

let p: Platform;
let operator: Actor;
let province: Actor;
let gz: Actor;
let sz: Actor;
const svc = () => p.services.monitoringAccounts;

/** The actor of a person acting for the organisation. */
async function actorOf(userId: string, organisationId: string): Promise<Actor> {
  const a = await p.services.accounts.actorForUser(userId);
  return { ...a, organisation: a.memberships.find((m) => m.organisationId === organisationId) };
}
const as = async (r: { userId: string; organisationId: string }) => actorOf(r.userId, r.organisationId);

beforeAll(async () => {
  p = await createTestPlatform();
  const op = await registerUser(p);
  operator = { ...op.actor, isOperator: true };
  province = await as(await svc().createDepartment(operator, { kind: 'province', name: '广东省乡村振兴局', contactName: '省管理员', mobile: buildMobile() }));
  gz = await as(await svc().createCity(province, { cityCode: '440100', name: '广州市乡村振兴局', contactName: '广州管理员', mobile: buildMobile() }));
  sz = await as(await svc().createCity(province, { cityCode: '440300', name: '深圳市乡村振兴局', contactName: '深圳管理员', mobile: buildMobile() }));
});
afterAll(() => p?.close());

describe('opening accounts', () => {
  it('opens the province once, cities once each, with SMS, membership, monitoring member and audit', async () => {
    await expect(svc().createDepartment(operator, { kind: 'province', name: '第二个省', contactName: '某', mobile: buildMobile() })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(svc().createDepartment(province, { kind: 'province', name: '第二个省', contactName: '某', mobile: buildMobile() })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(svc().createCity(province, { cityCode: '440100', name: '广州二局', contactName: '某', mobile: buildMobile() })).rejects.toMatchObject({
      code: 'CONFLICT',
      fields: { cityCode: expect.any(String) },
    });
    await expect(svc().createCity(province, { cityCode: '450100', name: '南宁', contactName: '某', mobile: buildMobile() })).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { cityCode: '请选择广东省的地级市' },
    });
    await expect(svc().createCity(gz, { cityCode: '440200', name: '韶关', contactName: '某', mobile: buildMobile() })).rejects.toMatchObject({
      code: 'MONITORING_ROLE_REQUIRED',
    });
    const [unit] = await p.db.select().from(monitoringUnits).where(eq(monitoringUnits.organisationId, gz.organisation!.organisationId));
    expect(unit).toMatchObject({ kind: 'city', cityCode: '440100', departmentId: province.organisation!.organisationId });
    expect(gz.organisation).toMatchObject({ kind: 'government', role: 'admin' });
    expect(await svc().me(gz)).toMatchObject({ kind: 'city', role: 'admin', cityName: '广州市', can: { manageAccounts: true } });
    const audits = await p.db.select().from(auditLog).where(eq(auditLog.targetId, gz.organisation!.organisationId));
    expect(audits.map((a) => a.action)).toContain('monitoring.unit_opened');
  });

  it('a city opens auditors and channels in its city; the province lists 单列 markets; sub-accounts follow their parent', async () => {
    const mobile = buildMobile();
    const aud = await svc().createAuditor(gz, { contactName: '审核员甲', mobile });
    expect(await latestCode(p, mobile).catch(() => null)).toBeNull();
    const auditor = await as(aud);
    expect(auditor.organisation).toMatchObject({ role: 'member' });
    expect(await svc().me(auditor)).toMatchObject({ role: 'auditor', can: { manageAccounts: false, review: true } });
    await expect(svc().createChannel(auditor, { kind: 'market', name: '审核员开的市场', contactName: '某', mobile: buildMobile() })).rejects.toMatchObject({
      code: 'MONITORING_ROLE_REQUIRED',
    });

    const market = await as(await svc().createChannel(gz, { kind: 'market', name: '江南果菜批发市场', contactName: '市场经理', mobile: buildMobile() }));
    expect(market.organisation).toMatchObject({ kind: 'enterprise', role: 'owner' });
    expect(await svc().me(market)).toMatchObject({
      kind: 'market',
      cityCode: '440100',
      departmentId: gz.organisation!.organisationId,
      parentName: '广州市乡村振兴局',
    });
    const single = await as(await svc().createChannel(province, { kind: 'market', name: '东西部扶贫协作交易市场', contactName: '某', mobile: buildMobile() }));
    expect(await svc().me(single)).toMatchObject({ cityCode: null, departmentId: province.organisation!.organisationId });

    const wholesaler = await as(await svc().createSubAccount(market, { name: '丰收果蔬商行', contactName: '老板', mobile: buildMobile() }));
    expect(await svc().me(wholesaler)).toMatchObject({
      kind: 'wholesaler',
      cityCode: '440100',
      departmentId: gz.organisation!.organisationId,
      parentName: '江南果菜批发市场',
      can: { report: true, manageAccounts: false },
    });
    await expect(svc().createSubAccount(wholesaler, { name: '再下一级', contactName: '某', mobile: buildMobile() })).rejects.toMatchObject({
      code: 'MONITORING_ROLE_REQUIRED',
    });
    const chain = await as(await svc().createChannel(gz, { kind: 'chain', name: '华润万家', contactName: '某', mobile: buildMobile() }));
    const store = await as(await svc().createSubAccount(chain, { name: '天河店', contactName: '店长', mobile: buildMobile() }));
    expect(await svc().me(store)).toMatchObject({ kind: 'store', parentName: '华润万家' });

    // Lists: the city its people and units (not Shenzhen's); a market only its own sub-accounts.
    await svc().createChannel(sz, { kind: 'ecommerce', name: '深圳电商', contactName: '某', mobile: buildMobile() });
    const list = await svc().listAccounts(gz, { pageSize: 100 });
    const names = list.items.map((i) => i.name);
    expect(names).toEqual(expect.arrayContaining(['江南果菜批发市场', '丰收果蔬商行', '华润万家', '天河店']));
    expect(names).not.toContain('深圳电商');
    expect(list.items.find((i) => i.contactName === '审核员甲')).toMatchObject({ type: 'member', role: 'auditor', mobile });
    const masked = await svc().listAccounts(auditor, { pageSize: 100 });
    expect(masked.items.find((i) => i.contactName === '审核员甲')!.mobile).toMatch(/^\d{3}\*{4}\d{4}$/);
    const marketList = await svc().listAccounts(market, {});
    expect(marketList.items.map((i) => i.name)).toEqual(['丰收果蔬商行']);
    expect((await svc().listAccounts(chain, {})).items.map((i) => i.name)).toEqual(['天河店']);
    const provinceList = await svc().listAccounts(province, { kind: 'city' });
    expect(provinceList.items.map((i) => i.name).sort()).toEqual(['广州市乡村振兴局', '深圳市乡村振兴局'].sort());
    expect((await svc().listAccounts(gz, { kind: 'auditor' })).items.every((i) => i.role === 'auditor')).toBe(true);
    await expect(svc().listAccounts(wholesaler, {})).rejects.toMatchObject({ code: 'MONITORING_ROLE_REQUIRED' });
  });

  it('one mobile, one monitoring account (also two openings at once); a platform user without one joins', async () => {
    const mobile = buildMobile();
    await svc().createChannel(gz, { kind: 'ecommerce', name: '农品汇电商', contactName: '某', mobile });
    await expect(svc().createAuditor(sz, { contactName: '某', mobile })).rejects.toMatchObject({
      code: 'MONITORING_MOBILE_TAKEN',
      fields: { mobile: '该手机号已开通监测账号' },
    });
    const racing = buildMobile();
    const results = await Promise.allSettled([
      svc().createChannel(gz, { kind: 'market', name: '并发市场甲', contactName: '某', mobile: racing }),
      svc().createChannel(sz, { kind: 'market', name: '并发市场乙', contactName: '某', mobile: racing }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'MONITORING_MOBILE_TAKEN' } });

    const someone = await registerUser(p);
    const joined = await svc().createAuditor(sz, { contactName: '已有账号的人', mobile: someone.input.mobile });
    expect(joined.userId).toBe(someone.actor.userId);
    const [member] = await p.db.select().from(monitoringMembers).where(eq(monitoringMembers.userId, someone.actor.userId));
    expect(member).toMatchObject({ role: 'auditor', organisationId: sz.organisation!.organisationId });
    const ms = await p.db.select().from(memberships).where(eq(memberships.userId, someone.actor.userId));
    expect(ms.map((m) => m.organisationId)).toContain(sz.organisation!.organisationId);
  });
});

describe('enterprises registering', () => {
  it('registers a new enterprise with an SMS code, attributed to its city, signed in', async () => {
    const mobile = buildMobile();
    const ip = nextIp();
    await p.services.accounts.sendRegisterCode({ mobile }, { ip });
    const code = await latestCode(p, mobile);
    await expect(
      svc().registerEnterprise({ name: '粤丰食品', contactName: '企业联系人', mobile, cityCode: '440200', code, agreeTerms: true }, { ip }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { cityCode: expect.stringContaining('尚未开通') },
    });
    const r = await svc().registerEnterprise({ name: '粤丰食品', contactName: '企业联系人', mobile, cityCode: '440100', code, agreeTerms: true }, { ip });
    const resolved = await p.services.accounts.validateSessionToken(r.session.token);
    expect(await svc().me(resolved!.actor)).toMatchObject({
      kind: 'enterprise',
      cityCode: '440100',
      departmentId: gz.organisation!.organisationId,
      switchTo: null,
    });
    await expect(
      svc().registerEnterprise({ name: '粤丰食品二', contactName: '某', mobile: buildMobile(), cityCode: '440100', code: '12', agreeTerms: true }, { ip }),
    ).rejects.toMatchObject({ code: 'VALIDATION', fields: { code: '请填写 6 位短信验证码' } });
  });

  it('registers an organisation already on the platform, once', async () => {
    const owner = await registerUser(p);
    await expect(svc().me(owner.actor)).resolves.toBeNull();
    const r = await svc().registerExistingOrganisation(owner.actor, { cityCode: '440300' });
    expect(r.organisationId).toBe(owner.actor.organisation!.organisationId);
    expect(await svc().me(owner.actor)).toMatchObject({ kind: 'enterprise', cityName: '深圳市', can: { report: true } });
    await expect(svc().registerExistingOrganisation(owner.actor, { cityCode: '440300' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(svc().registerExistingOrganisation(null, { cityCode: '440300' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
