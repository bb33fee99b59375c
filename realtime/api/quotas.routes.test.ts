import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { memberships, outbox } from '../../db/schema';
import { buildMobile, buildUscc } from '../../core/testing/factories';
import { ManualClock } from '../../core/testing/test-platform';
import { createApiHarness, type ApiHarness } from './test-helpers';

let h: ApiHarness;
/** Tokens acting for 綦江 (owner), 酉阳 (owner), and a plain member of 綦江. */
const t = { qj: '', yy: '', member: '' };
const ids = { qj: '', yy: '' };

async function signedInFor(organisationId: string, role: 'owner' | 'member') {
  const u = await h.user();
  await h.platform.db.insert(memberships).values({ userId: u.actor.userId, organisationId, role });
  const res = await h.json('POST', '/api/v1/auth/active-organisation', { organisationId }, { token: u.token });
  expect(res.status, res.text).toBe(200);
  return u.token;
}

beforeAll(async () => {
  h = await createApiHarness({ clock: new ManualClock(new Date('2026-11-23T02:00:00Z')) });
  const ops = await h.operator();
  for (const [key, name] of [
    ['qj', '綦江区财政局'],
    ['yy', '酉阳县财政局'],
  ] as const) {
    const res = await h.json(
      'POST',
      '/api/v1/admin/quotas/presets',
      { fullName: name, uscc: buildUscc(), role: 'finance_dept', budgetLevel: '县', contactName: '经办人', mobile: buildMobile() },
      { token: ops.token },
    );
    expect(res.status, res.text).toBe(201);
    ids[key] = res.json.id;
  }
  t.qj = await signedInFor(ids.qj, 'owner');
  t.yy = await signedInFor(ids.yy, 'owner');
  t.member = await signedInFor(ids.qj, 'member');
}, 120_000);
afterAll(() => h?.close());

describe('预算单位 API', () => {
  it('happy: add, list, detail, figures, generate accounts as a run, resend, reset, export, my unit', async () => {
    const mobile = buildMobile();
    const added = await h.json(
      'POST',
      '/api/v1/quotas/units',
      { fullName: '綦江区测试教育委员会', uscc: buildUscc(), contactName: '王主任', mobile, budgetLevel: '县', annualYuan: '100000', ratioPercent: '10' },
      { token: t.qj },
    );
    expect(added.status, added.text).toBe(201);
    expect(added.json).toMatchObject({ reservedFen: 1_000_000, accountState: 'none', superiorName: '綦江区财政局' });
    const id = added.json.id as string;

    const list = await h.json('GET', '/api/v1/quotas/units?keyword=教育&accountState=none', undefined, { token: t.qj });
    expect(list.status, list.text).toBe(200);
    expect(list.json.items.map((u: { id: string }) => u.id)).toEqual([id]);

    const figures = await h.json('PUT', `/api/v1/quotas/units/${id}/figures`, { annualFen: 20_000_000, ratioBp: 1_500 }, { token: t.qj });
    expect(figures.status, figures.text).toBe(200);
    expect(figures.json.reservedFen).toBe(3_000_000);

    const detail = await h.json('GET', `/api/v1/quotas/units/${id}`, undefined, { token: t.qj });
    expect(detail.status, detail.text).toBe(200);
    expect(detail.json.history.map((e: { label: string }) => e.label)).toEqual(expect.arrayContaining(['修改采购额和预留比例', '手工新增']));

    const run = await h.json('POST', '/api/v1/quotas/units/accounts', {}, { token: t.qj });
    expect(run.status, run.text).toBe(202);
    await h.platform.jobs.runDue();
    const progress = await h.json('GET', `/api/v1/quotas/units/accounts/${run.json.id}`, undefined, { token: t.qj });
    expect(progress.json).toMatchObject({ state: 'done', total: 1, done: 1 });
    expect((await h.json('GET', `/api/v1/quotas/units/accounts/${run.json.id}`, undefined, { token: t.yy })).status).toBe(404);

    expect((await h.json('POST', `/api/v1/quotas/units/${id}/resend`, undefined, { token: t.qj })).status).toBe(200);
    expect((await h.json('POST', `/api/v1/quotas/units/${id}/reset-password`, undefined, { token: t.qj })).status).toBe(200);
    const texts = await h.platform.db.select().from(outbox).where(eq(outbox.recipient, mobile));
    expect(texts).toHaveLength(3);
    expect(texts[0]!.body).toMatch(
      /^【帮扶】綦江区测试教育委员会已开通预算单位管理账号。账号：\w{18}，激活码：[0-9A-Z-]{14}（7天内有效），请登录 .+\/activate 激活。$/,
    );

    const file = await h.call('GET', '/api/v1/quotas/units/export', { token: t.qj });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toContain('spreadsheetml');

    const mine = await h.json('GET', '/api/v1/quotas/my-unit', undefined, { token: t.qj });
    expect(mine.json).toMatchObject({ id: ids.qj, role: 'finance_dept' });
  });

  it('errors: field messages, a unit’s own ratio, another tree, unknown ids, nothing to generate', async () => {
    const bad = await h.json(
      'POST',
      '/api/v1/quotas/units',
      { fullName: '短', uscc: '123', contactName: '王', mobile: '1', budgetLevel: '国' },
      { token: t.qj },
    );
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.json.error.fields)).toEqual(expect.arrayContaining(['fullName', 'uscc', 'mobile', 'budgetLevel']));

    const own = await h.json('PUT', `/api/v1/quotas/units/${ids.qj}/figures`, { annualFen: 1, ratioBp: 1 }, { token: t.qj });
    expect(own.status).toBe(403);
    expect(own.json.error).toMatchObject({ code: 'QUOTA_SUPERIOR_ONLY', message: expect.stringContaining('请联系上级预算单位修改') });

    const other = await h.json('GET', `/api/v1/quotas/units/${ids.qj}`, undefined, { token: t.yy });
    expect(other.json.error.code).toBe('QUOTA_OUTSIDE_SUBTREE');
    expect((await h.json('GET', '/api/v1/quotas/units/nonsense', undefined, { token: t.qj })).status).toBe(404);
    expect((await h.json('POST', '/api/v1/quotas/units/accounts', { ids: ['nope'] }, { token: t.qj })).status).toBe(400);
    expect((await h.json('POST', '/api/v1/quotas/purchasers/accounts', {}, { token: t.qj })).json.error.code).toBe('QUOTA_NO_ACCOUNT');
    expect((await h.json('POST', '/api/v1/quotas/purchasers/nonsense/resend', undefined, { token: t.qj })).status).toBe(404);
  });

  it('auth: signed out 401, a plain member 403, operators only for presets', async () => {
    expect((await h.call('GET', '/api/v1/quotas/units')).status).toBe(401);
    expect((await h.json('GET', '/api/v1/quotas/units', undefined, { token: t.member })).status).toBe(403);
    expect((await h.json('GET', '/api/v1/quotas/my-unit', undefined, { token: t.member })).status).toBe(200);
    const preset = await h.json(
      'POST',
      '/api/v1/admin/quotas/presets',
      { fullName: '某某县财政局', uscc: buildUscc(), role: 'finance_dept', budgetLevel: '县', contactName: '经办人', mobile: buildMobile() },
      { token: t.qj },
    );
    expect(preset.status).toBe(403);
  });
});
