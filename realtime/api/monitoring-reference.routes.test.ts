import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monitoringPerson } from '../../core/monitoring/reference.fixtures';
import { createApiHarness, type ApiHarness } from './test-helpers';

let h: ApiHarness;
const t = { province: '', city: '', reporter: '', outsider: '' };

beforeAll(async () => {
  h = await createApiHarness();
  const province = await monitoringPerson(h.platform, { kind: 'province', role: 'admin' });
  const city = await monitoringPerson(h.platform, { kind: 'city', role: 'admin', departmentId: province.orgId, cityCode: '440100' });
  const reporter = await monitoringPerson(h.platform, { kind: 'market', role: 'reporter', departmentId: city.orgId, cityCode: '440100' });
  t.province = province.token;
  t.city = city.token;
  t.reporter = reporter.token;
  t.outsider = (await h.user()).token;
}, 120_000);
afterAll(() => h?.close());

describe('监测参考数据 API', () => {
  it('happy: counties (public, grouped), provinces, periods, and the province administrator’s changes', async () => {
    const counties = await h.json('GET', '/api/v1/monitoring/counties?provinceCode=450000');
    expect(counties.status, counties.text).toBe(200);
    const hechi = counties.json.provinces[0].cities.find((c: { code: string }) => c.code === '451200');
    expect(hechi.counties).toContainEqual({ code: '451225', name: '罗城仫佬族自治县' });
    const provinces = await h.json('GET', '/api/v1/monitoring/provinces');
    expect(provinces.json.items.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['广西壮族自治区', '贵州省']));

    const periods = await h.json('GET', '/api/v1/monitoring/periods?filingType=backfill&openOnly=true', undefined, { token: t.reporter });
    expect(periods.status, periods.text).toBe(200);
    expect(periods.json.items).toEqual([expect.objectContaining({ name: '2026年上半年购销信息补登', filingTypeLabel: '上半年购销信息补登', open: true })]);

    const created = await h.json(
      'POST',
      '/api/v1/monitoring/periods',
      { filingType: 'regular', name: '2027年上半年购销信息登记', startsOn: '2027-01-01', endsOn: '2027-06-30' },
      { token: t.province },
    );
    expect(created.status, created.text).toBe(201);
    const closed = await h.json('PATCH', `/api/v1/monitoring/periods/${created.json.id}`, { open: false }, { token: t.province });
    expect(closed.status, closed.text).toBe(200);
    expect(closed.json).toMatchObject({ open: false, name: '2027年上半年购销信息登记' });

    const off = await h.json('PATCH', '/api/v1/monitoring/counties/520103', { active: false }, { token: t.province });
    expect(off.status, off.text).toBe(200);
    expect(off.json).toMatchObject({ code: '520103', active: false });
    const manage = await h.json('GET', '/api/v1/monitoring/counties/manage?provinceCode=520000&keyword=520103', undefined, { token: t.province });
    expect(manage.json.items).toEqual([expect.objectContaining({ code: '520103', active: false })]);
    const added = await h.json('POST', '/api/v1/monitoring/counties', { code: '530102' }, { token: t.province });
    expect(added.status, added.text).toBe(200);
    expect(added.json).toMatchObject({ provinceName: '云南省', name: '五华区' });
  });

  it('errors: field messages in Chinese, unknown ids 404', async () => {
    const bad = await h.json('POST', '/api/v1/monitoring/periods', { filingType: 'x', name: '', startsOn: '2027-13-01', endsOn: '' }, { token: t.province });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields).toMatchObject({ filingType: '请选择填报类型', name: '期间名称至少 2 个字', startsOn: '开始日期不是有效的日期' });
    const range = await h.json(
      'POST',
      '/api/v1/monitoring/periods',
      { filingType: 'regular', name: '倒置期间', startsOn: '2027-06-01', endsOn: '2027-01-01' },
      { token: t.province },
    );
    expect(range.json.error.fields).toEqual({ endsOn: '结束日期不能早于开始日期' });
    const missing = await h.json('PATCH', '/api/v1/monitoring/periods/00000000-0000-4000-8000-000000000000', { open: false }, { token: t.province });
    expect(missing.status).toBe(404);
    const county = await h.json('PATCH', '/api/v1/monitoring/counties/440103', { active: false }, { token: t.province });
    expect(county.status).toBe(404);
    const notCounty = await h.json('POST', '/api/v1/monitoring/counties', { code: '451200' }, { token: t.province });
    expect(notCounty.json.error.fields).toEqual({ code: '不是县级行政区划代码（GB/T 2260），请核对' });
    const q = await h.json('GET', '/api/v1/monitoring/counties?provinceCode=guangxi');
    expect(q.status).toBe(400);
  });

  it('auth: anonymous 401; a city administrator, a reporter, a non-member 403; nothing changes', async () => {
    await h.expectRefusals('signed-in', { method: 'POST', path: '/api/v1/monitoring/periods', body: {} });
    await h.expectRefusals('signed-in', { method: 'GET', path: '/api/v1/monitoring/periods' });
    const body = { filingType: 'regular', name: '越权新增的期间', startsOn: '2029-01-01', endsOn: '2029-06-30' };
    for (const token of [t.city, t.reporter, t.outsider]) {
      const res = await h.json('POST', '/api/v1/monitoring/periods', body, { token });
      expect(res.status, res.text).toBe(403);
      const county = await h.json('PATCH', '/api/v1/monitoring/counties/451225', { active: false }, { token });
      expect(county.status, county.text).toBe(403);
    }
    const periods = await h.json('GET', '/api/v1/monitoring/periods', undefined, { token: t.outsider });
    expect(periods.json.error.code).toBe('MONITORING_NOT_A_MEMBER');
    const list = await h.json('GET', '/api/v1/monitoring/periods', undefined, { token: t.city });
    expect(list.json.items.map((x: { name: string }) => x.name)).not.toContain(body.name);
    expect((await h.platform.services.monitoringReference.findActiveCounty(h.platform.db, '451225'))?.active).toBe(true);
  });
});

describe('商城订单生成购销记录 API', () => {
  it('a reporter with no eligible orders sees an empty page; bad input is a field message; others are refused', async () => {
    const page = await h.json('GET', '/api/v1/monitoring/mall-orders', undefined, { token: t.reporter });
    expect(page.status, page.text).toBe(200);
    expect(page.json).toMatchObject({ items: [], total: 0, page: 1 });
    const bad = await h.json('POST', '/api/v1/monitoring/records/from-mall', { orderIds: [] }, { token: t.reporter });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields).toEqual({ orderIds: '请至少选择一个订单' });
    const other = await h.json('POST', '/api/v1/monitoring/records/from-mall', { orderIds: ['00000000-0000-4000-8000-000000000000'] }, { token: t.reporter });
    expect(other.json.items[0]).toMatchObject({ ok: false, reason: '不是本单位已完成的商城订单' });
    for (const token of [t.province, t.outsider]) {
      const res = await h.json('GET', '/api/v1/monitoring/mall-orders', undefined, { token });
      expect(res.status, res.text).toBe(403);
    }
  });
});
