import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { individualProfiles, memberships, organisations, unitProfiles } from '../../db/schema';
import { createTestPlatform, latestCode } from '../testing/test-platform';
import { buildMobile, buildUscc, nextIp, registerUser } from '../testing/factories';
import type { Platform } from '../platform/platform';
import { searchVector } from '../shared/search-text';
import { MANUAL_UNIT_EXAMPLES } from '../testing/mall-factories';

let p: Platform;
beforeAll(async () => {
  p = await createTestPlatform();
});
afterAll(() => p?.close());

let seq = 0;
const username = (prefix: string) => `${prefix}${++seq}${Date.now().toString(36).slice(-4)}`;

/** Asks for a code like the form does and reads it from the sandbox outbox. */
async function codeFor(mobile: string, ip: string) {
  await p.services.accounts.sendRegisterCode({ mobile }, { ip });
  return latestCode(p, mobile);
}

function unitForm(over: Record<string, unknown> = {}) {
  return {
    username: username('unit'),
    password: 'Bangfu2026',
    confirmPassword: 'Bangfu2026',
    agreeTerms: true,
    attributeKind: 'other',
    unitName: '测试帮扶单位',
    uscc: buildUscc(),
    regionCode: '500118',
    mobile: buildMobile(),
    code: '000000',
    ...over,
  };
}

async function registerUnit(over: Record<string, unknown> = {}) {
  const form = unitForm(over);
  const ip = nextIp();
  const code = await codeFor(form.mobile as string, ip);
  const session = await p.services.units.registerUnit({ ...form, code }, { ip });
  const actor = (await p.services.accounts.validateSessionToken(session.token))!.actor;
  return { form, session, actor, unitId: session.unitId };
}

async function registerIndividual(unitId: string, over: Record<string, unknown> = {}) {
  const form = {
    username: username('emp'),
    mobile: buildMobile(),
    password: 'Passw0rd1',
    agreeTerms: true,
    realName: '张三',
    regionCode: '500118',
    unitId,
    ...over,
  };
  const ip = nextIp();
  const code = await codeFor(form.mobile, ip);
  const session = await p.services.units.registerIndividual({ ...form, code }, { ip });
  return { form, session, actor: (await p.services.accounts.validateSessionToken(session.token))!.actor };
}

describe('unit registration: the manual’s five examples', () => {
  it.each(MANUAL_UNIT_EXAMPLES)('$unitName: $attributeKind / $group, $region', async ({ group, region, ...form }) => {
    const { actor, unitId, session } = await registerUnit(form);
    expect(session.user.username).toBeTruthy();
    expect(actor.organisation).toMatchObject({ organisationId: unitId, kind: 'unit', fullName: form.unitName, role: 'owner' });
    const [org] = await p.db.select().from(organisations).where(eq(organisations.id, unitId));
    expect(org).toMatchObject({ kind: 'unit', regionCode: form.regionCode, status: 'active' });
    const [profile] = await p.db.select().from(unitProfiles).where(eq(unitProfiles.organisationId, unitId));
    expect(profile).toMatchObject({ attributeKind: form.attributeKind, attributeGroupCode: form.attributeGroupCode || null, regionCode: form.regionCode });
    const view = await p.services.units.getUnit(actor);
    expect(view).toMatchObject({ fullName: form.unitName, groupName: group, regionName: region, memberCount: 0 });
    expect(await p.services.units.currentUnitOf(actor.userId)).toBe(unitId);
  });
});

describe('unit registration: refusals', () => {
  it.each([
    [{ attributeKind: 'central', attributeGroupCode: 'shandong.3714' }, '所选二级帮扶单位不属于“中央帮扶单位”'],
    [{ attributeKind: 'shandong', attributeGroupCode: 'group.gov_office' }, '所选二级帮扶单位不属于“鲁渝协作单位”'],
    [{ attributeKind: 'central' }, '请选择中央帮扶单位的二级帮扶单位'],
    [{ attributeKind: 'shandong', attributeGroupCode: '' }, '请选择鲁渝协作单位的二级帮扶单位'],
    [{ attributeKind: 'city_group' }, '请选择市级帮扶集团的二级帮扶单位'],
    [{ attributeKind: 'other', attributeGroupCode: 'central.mwr' }, '其他帮扶单位无需选择二级帮扶单位，请直接填写单位名称'],
  ])('%o → attributeGroupCode: %s', async (over, message) => {
    const form = unitForm(over);
    await expect(p.services.units.registerUnit(form, { ip: nextIp() })).rejects.toMatchObject({ code: 'VALIDATION', fields: { attributeGroupCode: message } });
  });

  it.each([
    [{ regionCode: '50' }, 'regionCode', '请选择到区县（乡镇可选）'],
    [{ regionCode: '5001' }, 'regionCode', '请选择到区县（乡镇可选）'],
    [{ regionCode: '500199' }, 'regionCode', '请选择到区县（乡镇可选）'],
    [{ uscc: '91500118MA5U7Q8X1A' }, 'uscc', '统一社会信用代码校验位不正确，请核对'],
    [{ unitName: ' ' }, 'unitName', '请填写单位名称'],
    [{ attributeKind: '中央' }, 'attributeKind', '请选择单位属性'],
    [{ confirmPassword: 'Other2026' }, 'confirmPassword', '两次输入的密码不一致'],
  ])('%o → %s', async (over, field, message) => {
    await expect(p.services.units.registerUnit(unitForm(over), { ip: nextIp() })).rejects.toMatchObject({ code: 'VALIDATION', fields: { [field]: message } });
  });

  it('a USCC already registered as a unit is refused on its field, with the wrong code changing nothing', async () => {
    const first = await registerUnit({ unitName: '重庆市某区教委' });
    const form = unitForm({ uscc: first.form.uscc });
    await expect(p.services.units.registerUnit(form, { ip: nextIp() })).rejects.toMatchObject({
      code: 'ORGANISATION_EXISTS',
      fields: { uscc: expect.stringContaining('单位职工请注册个人用户') },
    });
    const other = unitForm();
    const ip = nextIp();
    const code = await codeFor(other.mobile, ip);
    await expect(p.services.units.registerUnit({ ...other, code: code === '111111' ? '222222' : '111111' }, { ip })).rejects.toMatchObject({
      code: 'CODE_INVALID',
    });
    expect(await p.db.select().from(organisations).where(eq(organisations.uscc, other.uscc))).toHaveLength(0);
  });
});

describe('attribute options', () => {
  it('lists the four kinds with their second level; 其他帮扶单位 has none', async () => {
    const options = await p.services.units.attributeOptions();
    expect(options.map((o) => o.label)).toEqual(['中央帮扶单位', '鲁渝协作单位', '市级帮扶集团', '其他帮扶单位']);
    expect(options[0]!.groups).toContainEqual({ code: 'central.mwr', name: '水利部' });
    expect(options[1]!.groups).toHaveLength(16);
    expect(options[1]!.groups).toContainEqual({ code: 'shandong.3714', name: '德州市' });
    expect(options[2]!.groups).toContainEqual({ code: 'group.gov_office', name: '市政府办公厅帮扶集团' });
    expect(options[3]!.groups).toEqual([]);
  });
});

describe('unit lookup for individuals', () => {
  let cuntou: string;
  beforeAll(async () => {
    cuntou = (await registerUnit({ unitName: '重庆村头科技发展有限公司', regionCode: '500118' })).unitId;
  });

  it('“村头” finds 重庆村头科技发展有限公司 by keyword, and so do the full name and other words of it', async () => {
    for (const q of ['村头', '重庆村头科技发展有限公司', '村头科技', '科技 村头', '  村头  ']) {
      const found = await p.services.units.searchUnits(q);
      expect(found[0], q).toMatchObject({ id: cuntou, fullName: '重庆村头科技发展有限公司', regionName: '重庆市 永川区', attributeLabel: '其他帮扶单位' });
    }
    expect(await p.services.units.searchUnits({ q: '村头' })).toHaveLength(1);
  });

  it('one character matches anywhere in the name, including the last', async () => {
    expect((await p.services.units.searchUnits('头')).map((u) => u.id)).toContain(cuntou);
    expect((await p.services.units.searchUnits('司')).map((u) => u.id)).toContain(cuntou);
  });

  it('finds nothing for unknown words or an empty query, and only active units', async () => {
    expect(await p.services.units.searchUnits('不存在的单位名称')).toEqual([]);
    expect(await p.services.units.searchUnits('   ')).toEqual([]);
    const gone = await registerUnit({ unitName: '重庆停用测试中心' });
    expect(await p.services.units.searchUnits('停用测试')).toHaveLength(1);
    await p.db.update(organisations).set({ status: 'disabled' }).where(eq(organisations.id, gone.unitId));
    expect(await p.services.units.searchUnits('停用测试')).toEqual([]);
    // Other kinds of organisation are never found.
    const merchant = await registerUser(p, { accountType: 'merchant', organisationName: '重庆停用测试合作社', regionCode: '500242' });
    expect(merchant.actor.organisation?.kind).toBe('merchant');
    expect(await p.services.units.searchUnits('停用测试')).toEqual([]);
  });

  it('answers at most 10, the closest first', async () => {
    for (let i = 0; i < 12; i++) {
      const [org] = await p.db
        .insert(organisations)
        .values({ kind: 'unit', fullName: `綦江区第${i + 1}扶贫协作办公室` })
        .returning();
      await p.db
        .insert(unitProfiles)
        .values({ organisationId: org!.id, attributeKind: 'other', regionCode: '500110', searchVector: searchVector({ a: org!.fullName }) });
    }
    const [exact] = await p.db.insert(organisations).values({ kind: 'unit', fullName: '扶贫协作办公室' }).returning();
    await p.db
      .insert(unitProfiles)
      .values({ organisationId: exact!.id, attributeKind: 'other', regionCode: '500110', searchVector: searchVector({ a: '扶贫协作办公室' }) });
    const found = await p.services.units.searchUnits('扶贫协作办公室');
    expect(found).toHaveLength(10);
    expect(found[0]!.id).toBe(exact!.id);
  });

  it('refuses an over-long query by field', async () => {
    await expect(p.services.units.searchUnits('单'.repeat(51))).rejects.toMatchObject({ code: 'VALIDATION', fields: { q: '关键字不超过 50 个字' } });
  });
});

describe('individual registration and profile', () => {
  let unitA: string;
  let unitB: string;
  beforeAll(async () => {
    unitA = (await registerUnit({ unitName: '重庆财经职业学院（测试）', attributeKind: 'city_group', attributeGroupCode: 'group.gov_office' })).unitId;
    unitB = (await registerUnit({ unitName: '永川区双石镇人民政府（测试）', regionCode: '500118113' })).unitId;
  });

  it('registers under the chosen unit as a pending employee; purchases count for that unit, acting for it waits for approval', async () => {
    const { actor, form } = await registerIndividual(unitA, { realName: '财院李娜', note: '会计学院' });
    // Works at the unit (statistics), may not act for it: no membership until the unit approves.
    expect(actor.organisation).toBeUndefined();
    expect(actor.memberships).toEqual([]);
    const me = await p.services.units.getIndividual(actor);
    expect(me).toMatchObject({
      username: form.username,
      realName: '财院李娜',
      regionName: '重庆市 永川区',
      note: '会计学院',
      unit: { id: unitA, status: 'pending', statusLabel: '待单位审核' },
    });
    expect(await p.services.units.buyerContext(actor.userId)).toEqual({ kind: 'individual', unitId: unitA, unitName: '重庆财经职业学院（测试）' });
    expect(await p.services.units.currentUnitOf(actor.userId)).toBe(unitA);
    const inbox = await p.services.messages.list(actor.userId, { page: 1, pageSize: 5 });
    expect(inbox.items[0]?.body).toContain('重庆财经职业学院（测试）');
    // The unit's owner is told and sees the pending employee; once approved, the employee is a member.
    const [owner] = await p.db
      .select()
      .from(memberships)
      .where(and(eq(memberships.organisationId, unitA), eq(memberships.role, 'owner')));
    const ownerActor = await p.services.accounts.actorForUser(owner!.userId);
    expect((await p.services.messages.list(owner!.userId, { page: 1, pageSize: 5 })).items[0]).toMatchObject({
      title: '新的员工待审核',
      link: '/mall/unit/employees',
    });
    const before = (await p.services.units.getUnit(ownerActor)).memberCount;
    expect((await p.services.units.listEmployees(ownerActor)).map((e) => e.userId)).toContain(actor.userId);
    await p.services.units.decideEmployee(ownerActor, actor.userId, { decision: 'approve' });
    expect((await p.services.units.getUnit(ownerActor)).memberCount).toBe(before + 1);
  });

  it('refuses field by field: no unit chosen, an unknown or disabled unit, a bad real name or region', async () => {
    const ctx = { ip: nextIp() };
    const base = {
      username: username('emp'),
      mobile: buildMobile(),
      code: '000000',
      password: 'Passw0rd1',
      agreeTerms: true,
      realName: '张三',
      regionCode: '500118',
    };
    await expect(p.services.units.registerIndividual(base, ctx)).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { unitId: expect.stringContaining('请先进行单位注册') },
    });
    await expect(p.services.units.registerIndividual({ ...base, unitId: crypto.randomUUID() }, ctx)).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { unitId: expect.stringContaining('单位注册') },
    });
    const [merchantOrg] = await p.db.insert(organisations).values({ kind: 'merchant', fullName: '不是单位的合作社' }).returning();
    await expect(p.services.units.registerIndividual({ ...base, unitId: merchantOrg!.id }, ctx)).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { unitId: expect.any(String) },
    });
    await expect(p.services.units.registerIndividual({ ...base, unitId: unitA, realName: '张' }, ctx)).rejects.toMatchObject({
      fields: { realName: '真实姓名为 2–20 个汉字或字母' },
    });
    await expect(p.services.units.registerIndividual({ ...base, unitId: unitA, regionCode: '5001' }, ctx)).rejects.toMatchObject({
      fields: { regionCode: '请选择到区县（乡镇可选）' },
    });
    await expect(p.services.units.registerIndividual({ ...base, unitId: unitA, password: 'short' }, ctx)).rejects.toMatchObject({
      fields: { password: expect.any(String) },
    });
    // JSON clients sending a number where text belongs are answered in Chinese too.
    await expect(p.services.units.registerIndividual({ ...base, unitId: unitA, note: 5, confirmPassword: 5 }, ctx)).rejects.toMatchObject({
      fields: { note: '备注须为文字', confirmPassword: '请再次输入密码' },
    });
    await expect(p.services.units.updateIndividual((await registerIndividual(unitA)).actor, { note: 5 })).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { note: '备注须为文字' },
    });
  });

  it('refuses a taken mobile or username like every registration', async () => {
    const first = await registerIndividual(unitA);
    await expect(p.services.units.registerIndividual({ ...first.form, username: username('emp'), code: '000000' }, { ip: nextIp() })).rejects.toMatchObject({
      code: 'MOBILE_TAKEN',
      fields: { mobile: expect.any(String) },
    });
    await expect(
      p.services.units.registerIndividual(
        { ...first.form, username: first.form.username.toUpperCase(), mobile: buildMobile(), code: '000000' },
        { ip: nextIp() },
      ),
    ).rejects.toMatchObject({ code: 'USERNAME_TAKEN' });
  });

  it('changing the unit leaves the old one (its powers too) and waits for the new one; name, region and note change too', async () => {
    const { actor, session } = await registerIndividual(unitA, { realName: '王强' });
    const [owner] = await p.db
      .select()
      .from(memberships)
      .where(and(eq(memberships.organisationId, unitA), eq(memberships.role, 'owner')));
    await p.services.units.decideEmployee(await p.services.accounts.actorForUser(owner!.userId), actor.userId, { decision: 'approve' });
    const approved = (await p.services.accounts.validateSessionToken(session.token))!.actor;
    expect(approved.organisation).toMatchObject({ organisationId: unitA, role: 'member' });
    const updated = await p.services.units.updateIndividual(approved, { unitId: unitB, realName: '双石王强', regionCode: '500118113', note: '党政办' });
    expect(updated).toMatchObject({
      realName: '双石王强',
      regionCode: '500118113',
      regionName: '重庆市 永川区 双石镇',
      note: '党政办',
      unit: { id: unitB, status: 'pending' },
    });
    // No membership anywhere: not at the old unit any more, not yet at the new one.
    const mine = await p.db.select().from(memberships).where(eq(memberships.userId, actor.userId));
    expect(mine).toEqual([]);
    expect(await p.services.units.currentUnitOf(actor.userId)).toBe(unitB);
    // The session acts for nobody now.
    const again = (await p.services.accounts.validateSessionToken(session.token))!.actor;
    expect(again.organisation).toBeUndefined();
    const [profile] = await p.db.select().from(individualProfiles).where(eq(individualProfiles.userId, actor.userId));
    expect(profile?.unitId).toBe(unitB);
    // An empty note clears it; absent fields stay.
    expect(await p.services.units.updateIndividual(again, { note: '' })).toMatchObject({ note: null, realName: '双石王强', unit: { id: unitB } });
  });

  it('changes the username unless someone has it', async () => {
    const a = await registerIndividual(unitA);
    const b = await registerIndividual(unitA);
    const name = username('renamed');
    expect(await p.services.units.updateIndividual(a.actor, { username: name })).toMatchObject({ username: name });
    await expect(p.services.units.updateIndividual(b.actor, { username: name.toUpperCase() })).rejects.toMatchObject({
      code: 'USERNAME_TAKEN',
      fields: { username: '该用户名已被注册' },
    });
  });

  it('refuses a disabled new unit, and accounts that are not individuals', async () => {
    const { actor } = await registerIndividual(unitA);
    const gone = await registerUnit({ unitName: '即将停用的单位' });
    await p.db.update(organisations).set({ status: 'disabled' }).where(eq(organisations.id, gone.unitId));
    await expect(p.services.units.updateIndividual(actor, { unitId: gone.unitId })).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { unitId: expect.any(String) },
    });
    expect(await p.services.units.currentUnitOf(actor.userId)).toBe(unitA);
    await expect(p.services.units.updateIndividual(gone.actor, { realName: '张三' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(p.services.units.updateIndividual(null, { realName: '张三' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

describe('merchant registration', () => {
  it('registers a 供货商家 with its district or township through the accounts registration', async () => {
    const mobile = buildMobile();
    const ip = nextIp();
    const code = await codeFor(mobile, ip);
    const form = {
      username: username('shop'),
      mobile,
      code,
      password: 'Passw0rd1',
      confirmPassword: 'Passw0rd1',
      agreeTerms: true,
      organisationName: '酉阳县花田乡贡米专业合作社（测试）',
      uscc: buildUscc(),
      regionCode: '500242209',
    };
    const session = await p.services.units.registerMerchant(form, { ip });
    const actor = (await p.services.accounts.validateSessionToken(session.token))!.actor;
    expect(actor.organisation).toMatchObject({ kind: 'merchant', fullName: form.organisationName, role: 'owner' });
    const [org] = await p.db.select().from(organisations).where(eq(organisations.id, actor.organisation!.organisationId));
    expect(org?.regionCode).toBe('500242209');
    expect(await p.services.units.currentUnitOf(actor.userId)).toBeNull();
  });

  it.each([
    [undefined, '请选择商家所在的区县或乡镇'],
    ['50', '请选择到区县或乡镇'],
    ['5002', '请选择到区县或乡镇'],
    ['500299', '请选择到区县或乡镇'],
  ])('region %s → %s', async (regionCode, message) => {
    const form = {
      username: username('shop'),
      mobile: buildMobile(),
      code: '000000',
      password: 'Passw0rd1',
      confirmPassword: 'Passw0rd1',
      agreeTerms: true,
      organisationName: '巫溪县测试合作社',
      uscc: buildUscc(),
      regionCode,
    };
    await expect(p.services.units.registerMerchant(form, { ip: nextIp() })).rejects.toMatchObject({ code: 'VALIDATION', fields: { regionCode: message } });
  });

  it('leaves enterprise registration as it was (no region needed)', async () => {
    const { actor } = await registerUser(p, { accountType: 'enterprise' });
    expect(actor.organisation?.kind).toBe('enterprise');
    expect(await p.services.units.buyerContext(actor.userId)).toEqual({ kind: null, unitId: null, unitName: null });
  });
});
