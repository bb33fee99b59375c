import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, read, type ApiHarness } from './test-helpers';

type Person = { token: string; actor: { organisation?: { organisationId: string; fullName: string } } };

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h?.close());

const NO_SUCH = '00000000-0000-4000-8000-000000000000';
const call = (who: Person | null, method: string, path: string, body?: unknown) => h.json(method, `/api/v1${path}`, body, who ? { token: who.token } : {});
const orgId = (p: Person) => p.actor.organisation!.organisationId;
let seq = 0;
const marker = () => `sf${Date.now().toString(36)}${seq++}`;
const provider = (name?: string) => h.user({ accountType: 'provider', ...(name ? { organisationName: name } : {}) });
const enterprise = () => h.user({ accountType: 'enterprise' });

const item = (over: Record<string, unknown> = {}) => ({
  title: '小规模纳税人代理记账',
  categoryCode: 'finance.01',
  priceMinFen: 30_000,
  priceMaxFen: 30_000,
  priceUnit: '月',
  description: '每月记账、报税，季度财务报表。',
  ...over,
});
const profile = (over: Record<string, unknown> = {}) => ({
  introduction: '十年财税服务经验，服务赣州本地中小企业三百余家。',
  qualifications: '代理记账许可证',
  regionsServed: ['3607'],
  categoryCodes: ['finance'],
  contactPhone: '0797-8888888',
  ...over,
});
async function addItem(who: Person, over: Record<string, unknown> = {}) {
  const res = await call(who, 'POST', '/storefronts/me/items', item(over));
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; title: string };
}
async function upload(who: Person, name: string, type: string, imageOnly = false) {
  const form = new FormData();
  // Uploads are checked against their declared type: the first bytes of a PNG, a JPEG or a PDF.
  const head =
    type === 'image/jpeg' ? [0xff, 0xd8, 0xff, 0xe0] : type === 'application/pdf' ? [...new TextEncoder().encode('%PDF-1.4')] : [0x89, 0x50, 0x4e, 0x47];
  form.append('file', new File([new Uint8Array([...head, 1, 2, 3])], name, { type }));
  if (imageOnly) form.append('imageOnly', 'true');
  const res = await read(await h.app.request('/api/v1/files', { method: 'POST', headers: { authorization: `Bearer ${who.token}` }, body: form }));
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; url: string };
}

describe('GET /storefronts (showcase hall)', () => {
  it('happy: public; search by name or by what they sell, category and region filters, sort by name, pages', async () => {
    const m = marker();
    const a = await provider(`${m}甲财税咨询有限公司`);
    const b = await provider(`${m}乙律师事务所`);
    const c = await provider(`${m}丙知识产权代理有限公司`);
    await call(a, 'PUT', '/storefronts/me', profile());
    await addItem(a);
    await addItem(a, { title: '内部草稿服务', status: 'unlisted' });
    await call(b, 'PUT', '/storefronts/me', profile({ regionsServed: ['11'], categoryCodes: ['legal'] }));
    await addItem(b, { title: '常年法律顾问', categoryCode: 'legal.01', priceMinFen: 500_000, priceMaxFen: 2_000_000, priceUnit: '年' });
    // c has no storefront yet: it still appears, serving every region.
    const ids = async (query: string) => {
      const res = await call(null, 'GET', `/storefronts?q=${m}${query}`);
      expect(res.status, res.text).toBe(200);
      return res.json.items.map((i: { id: string }) => i.id);
    };
    expect(await ids('&sort=name')).toHaveLength(3);
    expect(await ids('&category=finance')).toEqual([orgId(a)]);
    expect(await ids('&category=legal.01')).toEqual([orgId(b)]);
    expect((await ids('&region=360702')).sort()).toEqual([orgId(a), orgId(c)].sort());
    expect(await ids('&region=1101')).toEqual(expect.arrayContaining([orgId(b), orgId(c)]));
    const bySale = await call(null, 'GET', `/storefronts?q=${encodeURIComponent('法律顾问')}&pageSize=50`);
    expect(bySale.json.items.map((i: { id: string }) => i.id)).toContain(orgId(b));
    expect(bySale.json.items.map((i: { id: string }) => i.id)).not.toContain(orgId(a));

    const list = await call(null, 'GET', `/storefronts?q=${m}&category=finance`);
    expect(list.json.items[0]).toMatchObject({
      id: orgId(a),
      fullName: `${m}甲财税咨询有限公司`,
      introduction: expect.stringContaining('十年财税服务经验'),
      regions: ['江西省 赣州市'],
      categories: ['财税'],
      itemCount: 1,
      rating: { average: null, count: 0 },
      topItems: [{ title: '小规模纳税人代理记账', priceMinFen: 30_000 }],
    });
    expect(list.text).not.toContain('内部草稿服务');
    const page2 = await call(null, 'GET', `/storefronts?q=${m}&sort=name&pageSize=2&page=2`);
    expect(page2.json).toMatchObject({ total: 3, page: 2, pageSize: 2 });
    expect(page2.json.items).toHaveLength(1);
    // Enterprises are never listed.
    const e = await h.user({ accountType: 'enterprise', organisationName: `${m}丁企业` });
    expect(await ids('')).not.toContain(orgId(e));
  });

  it('errors: bad sort, region or page size → 400 with Chinese field messages', async () => {
    const res = await call(null, 'GET', '/storefronts?sort=cheapest&region=x&pageSize=51');
    expect(res.status).toBe(400);
    expect(res.json.error.fields).toEqual({ sort: '排序方式无效', region: '地区代码无效', pageSize: '每页最多 50 条' });
  });
});

describe('GET /storefronts/{providerId}', () => {
  it('happy: anyone sees the profile, listed items and cases; the owner also sees unlisted items', async () => {
    const p = await provider();
    await call(p, 'PUT', '/storefronts/me', profile());
    await addItem(p);
    await addItem(p, { title: '暂停的服务', status: 'unlisted' });
    expect(
      (
        await call(p, 'POST', '/storefronts/me/cases', {
          title: '某制造企业账务整改',
          clientName: '赣州某制造有限公司',
          year: 2025,
          description: '三个月完成账务整改。',
        })
      ).status,
    ).toBe(201);
    for (const who of [null, await enterprise(), await provider()]) {
      const res = await call(who, 'GET', `/storefronts/${orgId(p)}`);
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({
        id: orgId(p),
        fullName: p.actor.organisation!.fullName,
        introduction: profile().introduction,
        regionsServed: [{ code: '3607', name: '江西省 赣州市' }],
        categories: [{ code: 'finance', name: '财税' }],
        contactPhone: '0797-8888888',
        own: false,
        cases: [{ title: '某制造企业账务整改', year: 2025, imageUrl: null }],
      });
      expect(res.json.items.map((i: { title: string }) => i.title)).toEqual(['小规模纳税人代理记账']);
    }
    const own = await call(p, 'GET', `/storefronts/${orgId(p)}`);
    expect(own.json.own).toBe(true);
    expect(own.json.items.map((i: { title: string }) => i.title).sort()).toEqual(['小规模纳税人代理记账', '暂停的服务'].sort());
  });

  it('errors: an enterprise, an unknown id or a malformed id → 404', async () => {
    for (const id of [orgId(await enterprise()), NO_SUCH, 'not-an-id']) {
      const res = await call(null, 'GET', `/storefronts/${id}`);
      expect(res.status, id).toBe(404);
      expect(res.json.error).toEqual({ code: 'NOT_FOUND', message: '服务机构不存在' });
    }
  });
});

describe('GET/PUT /storefronts/me', () => {
  it('happy: a provider edits its profile with a logo uploaded as an image; the logo is public', async () => {
    const p = await provider();
    const before = await call(p, 'GET', '/storefronts/me');
    expect(before.status).toBe(200);
    expect(before.json).toMatchObject({ id: orgId(p), own: true, items: [], cases: [], logoUrl: null });
    const logo = await upload(p, 'logo.png', 'image/png', true);
    const res = await call(
      p,
      'PUT',
      '/storefronts/me',
      profile({ logoFileId: logo.id, regionsServed: ['3607', '360702'], categoryCodes: ['finance', 'legal.01'] }),
    );
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({
      logoFileId: logo.id,
      logoUrl: logo.url,
      regionsServed: [{ code: '3607' }, { code: '360702', name: '江西省 赣州市 章贡区' }],
      // Storefronts are filed under top-level categories (the showcase filters by them).
      categories: [{ code: 'finance' }, { code: 'legal', name: '法律' }],
      own: true,
    });
    const img = await h.app.request(logo.url);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
  });

  it('errors: regions, categories, logo type and ownership, long text', async () => {
    const p = await provider();
    const cases: [Record<string, unknown>, Record<string, string>][] = [
      [{ regionsServed: ['999999'] }, { 'regionsServed.0': '地区代码无效' }],
      [{ categoryCodes: ['nope'] }, { categoryCodes: '服务类别无效' }],
      [{ introduction: '长'.repeat(5001) }, { introduction: '简介不超过 5000 字' }],
      [{ logoFileId: 'x' }, { logoFileId: '图片编号无效' }],
      [{ logoFileId: (await upload(p, '资质.pdf', 'application/pdf')).id }, { logoFileId: '请上传图片' }],
      [{ logoFileId: (await upload(await provider(), 'logo.png', 'image/png')).id }, { logoFileId: '附件不存在或不能使用' }],
    ];
    for (const [over, fields] of cases) {
      const res = await call(p, 'PUT', '/storefronts/me', profile(over));
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(res.json.error.fields).toEqual(fields);
    }
    expect((await call(p, 'GET', '/storefronts/me')).json.introduction).toBe('');
  });

  it('auth: 401; an enterprise has no storefront (403)', async () => {
    await h.expectRefusals('signed-in', { method: 'GET', path: '/api/v1/storefronts/me' });
    await h.expectRefusals('signed-in', { method: 'PUT', path: '/api/v1/storefronts/me', body: profile() });
    const e = await enterprise();
    expect((await call(e, 'GET', '/storefronts/me')).status).toBe(403);
    const put = await call(e, 'PUT', '/storefronts/me', profile());
    expect(put.status).toBe(403);
    expect(put.json.error.code).toBe('FORBIDDEN');
    expect((await call(null, 'GET', `/storefronts/${orgId(e)}`)).status).toBe(404);
  });
});

describe('service items: /storefronts/me/items', () => {
  it('happy: add, list (unlisted too), update, unlist, delete', async () => {
    const p = await provider();
    const res = await call(p, 'POST', '/storefronts/me/items', item({ priceMaxFen: 60_000 }));
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      organisationId: orgId(p),
      title: '小规模纳税人代理记账',
      categoryName: '代理记账',
      parentCategoryName: '财税',
      priceMinFen: 30_000,
      priceMaxFen: 60_000,
      status: 'listed',
    });
    const defaults = await call(p, 'POST', '/storefronts/me/items', {
      title: '工商注册',
      categoryCode: 'finance.04',
      priceMinFen: 80_000,
      priceMaxFen: 80_000,
    });
    expect(defaults.json).toMatchObject({ priceUnit: '次', description: '', status: 'listed' });
    const updated = await call(
      p,
      'PUT',
      `/storefronts/me/items/${res.json.id}`,
      item({ title: '一般纳税人代理记账', priceMinFen: 50_000, priceMaxFen: 50_000, status: 'unlisted' }),
    );
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ id: res.json.id, title: '一般纳税人代理记账', status: 'unlisted' });
    const mine = await call(p, 'GET', '/storefronts/me/items');
    expect(mine.status).toBe(200);
    expect(mine.json.map((i: { title: string }) => i.title).sort()).toEqual(['一般纳税人代理记账', '工商注册'].sort());
    expect((await call(null, 'GET', `/storefronts/${orgId(p)}`)).json.items.map((i: { title: string }) => i.title)).toEqual(['工商注册']);
    expect((await call(p, 'DELETE', `/storefronts/me/items/${defaults.json.id}`)).status).toBe(204);
    expect((await call(p, 'GET', '/storefronts/me/items')).json.map((i: { id: string }) => i.id)).toEqual([res.json.id]);
    expect((await call(p, 'DELETE', `/storefronts/me/items/${defaults.json.id}`)).status).toBe(404);
  });

  it('errors: field messages in Chinese', async () => {
    const p = await provider();
    const empty = await call(p, 'POST', '/storefronts/me/items', {});
    expect(empty.status).toBe(400);
    expect(empty.json.error.fields).toEqual({
      title: '请填写服务名称',
      categoryCode: '请选择服务类别',
      priceMinFen: '请填写价格',
      priceMaxFen: '请填写价格上限',
    });
    const cases: [Record<string, unknown>, Record<string, string>][] = [
      [{ priceMinFen: 50_000, priceMaxFen: 30_000 }, { priceMaxFen: '价格上限不能低于下限' }],
      [{ priceMinFen: 0 }, { priceMinFen: '价格必须大于 0' }],
      [{ priceMinFen: 99.5 }, { priceMinFen: '价格最多两位小数' }],
      [{ categoryCode: 'nope' }, { categoryCode: '服务类别无效' }],
      [{ title: '长'.repeat(61) }, { title: '服务名称不超过 60 字' }],
      [{ status: 'hidden' }, { status: expect.any(String) as unknown as string }],
    ];
    for (const [over, fields] of cases) {
      const res = await call(p, 'POST', '/storefronts/me/items', item(over));
      expect(res.status, JSON.stringify(over)).toBe(400);
      expect(res.json.error.fields).toEqual(fields);
    }
    const i = await addItem(p);
    expect((await call(p, 'PUT', `/storefronts/me/items/${i.id}`, item({ priceMaxFen: 1 }))).json.error.fields).toEqual({
      priceMaxFen: '价格上限不能低于下限',
    });
    expect((await call(p, 'PUT', `/storefronts/me/items/${NO_SUCH}`, item())).status).toBe(404);
    expect((await call(p, 'GET', '/storefronts/me/items')).json).toHaveLength(1);
  });

  it("auth: 401; an enterprise 403; another provider's item is 404 and stays as it was", async () => {
    const p = await provider();
    const i = await addItem(p);
    await h.expectRefusals('signed-in', { method: 'GET', path: '/api/v1/storefronts/me/items' });
    await h.expectRefusals('signed-in', { method: 'POST', path: '/api/v1/storefronts/me/items', body: item() });
    await h.expectRefusals('signed-in', { method: 'PUT', path: `/api/v1/storefronts/me/items/${i.id}`, body: item() });
    await h.expectRefusals('signed-in', { method: 'DELETE', path: `/api/v1/storefronts/me/items/${i.id}` });
    const e = await enterprise();
    expect((await call(e, 'POST', '/storefronts/me/items', item())).status).toBe(403);
    expect((await call(e, 'GET', '/storefronts/me/items')).status).toBe(403);
    const other = await provider();
    const put = await call(other, 'PUT', `/storefronts/me/items/${i.id}`, item({ title: '被别人改掉' }));
    expect(put.status).toBe(404);
    expect(put.json.error).toEqual({ code: 'NOT_FOUND', message: '服务项目不存在' });
    expect((await call(other, 'DELETE', `/storefronts/me/items/${i.id}`)).status).toBe(404);
    expect((await call(null, 'GET', `/storefronts/${orgId(p)}`)).json.items.map((x: { title: string }) => x.title)).toEqual([i.title]);
  });
});

describe('cases: /storefronts/me/cases', () => {
  it('happy: add with an image, list, delete', async () => {
    const p = await provider();
    const img = await upload(p, 'case.jpg', 'image/jpeg');
    const res = await call(p, 'POST', '/storefronts/me/cases', {
      title: '连锁餐饮集团税务筹划',
      clientName: '某餐饮集团',
      year: 2024,
      description: '年节税 12%。',
      imageFileId: img.id,
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ organisationId: orgId(p), title: '连锁餐饮集团税务筹划', year: 2024, imageFileId: img.id, imageUrl: img.url });
    const plain = await call(p, 'POST', '/storefronts/me/cases', { title: '小微企业记账' });
    expect(plain.json).toMatchObject({ clientName: null, year: null, description: '', imageUrl: null });
    const list = await call(p, 'GET', '/storefronts/me/cases');
    expect(list.status).toBe(200);
    expect(list.json.map((c: { title: string }) => c.title)).toEqual(['连锁餐饮集团税务筹划', '小微企业记账']); // dated cases first, newest year first
    expect((await h.app.request(img.url)).status).toBe(200); // case images are public
    expect((await call(p, 'DELETE', `/storefronts/me/cases/${plain.json.id}`)).status).toBe(204);
    expect((await call(p, 'GET', '/storefronts/me/cases')).json).toHaveLength(1);
    expect((await call(p, 'DELETE', `/storefronts/me/cases/${plain.json.id}`)).status).toBe(404);
  });

  it('errors: field messages; the image must be an image of the provider', async () => {
    const p = await provider();
    const cases: [Record<string, unknown>, Record<string, string>][] = [
      [{}, { title: '请填写案例名称' }],
      [{ title: '案' }, { title: '案例名称至少 2 个字' }],
      [{ title: '某案例', year: 1800 }, { year: '年份无效' }],
      [{ title: '某案例', imageFileId: 'x' }, { imageFileId: '图片编号无效' }],
      [{ title: '某案例', imageFileId: (await upload(p, '说明.pdf', 'application/pdf')).id }, { imageFileId: '请上传图片' }],
      [{ title: '某案例', imageFileId: (await upload(await provider(), 'x.png', 'image/png')).id }, { imageFileId: '附件不存在或不能使用' }],
    ];
    for (const [body, fields] of cases) {
      const res = await call(p, 'POST', '/storefronts/me/cases', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.fields).toEqual(fields);
    }
    expect((await call(p, 'GET', '/storefronts/me/cases')).json).toEqual([]);
  });

  it("auth: 401; an enterprise 403; another provider's case is 404", async () => {
    const p = await provider();
    const c = (await call(p, 'POST', '/storefronts/me/cases', { title: '某案例' })).json;
    await h.expectRefusals('signed-in', { method: 'GET', path: '/api/v1/storefronts/me/cases' });
    await h.expectRefusals('signed-in', { method: 'POST', path: '/api/v1/storefronts/me/cases', body: { title: '某案例' } });
    await h.expectRefusals('signed-in', { method: 'DELETE', path: `/api/v1/storefronts/me/cases/${c.id}` });
    expect((await call(await enterprise(), 'POST', '/storefronts/me/cases', { title: '某案例' })).status).toBe(403);
    expect((await call(await provider(), 'DELETE', `/storefronts/me/cases/${c.id}`)).status).toBe(404);
    expect((await call(p, 'GET', '/storefronts/me/cases')).json).toHaveLength(1);
  });
});

describe('GET /openapi.json', () => {
  it('publishes the storefront routes', async () => {
    const doc = (await call(null, 'GET', '/openapi.json')).json;
    for (const [method, path] of [
      ['get', '/storefronts'],
      ['get', '/storefronts/me'],
      ['put', '/storefronts/me'],
      ['get', '/storefronts/me/items'],
      ['post', '/storefronts/me/items'],
      ['put', '/storefronts/me/items/{id}'],
      ['delete', '/storefronts/me/items/{id}'],
      ['get', '/storefronts/me/cases'],
      ['post', '/storefronts/me/cases'],
      ['delete', '/storefronts/me/cases/{id}'],
      ['get', '/storefronts/{providerId}'],
    ]) {
      expect(doc.paths[`/api/v1${path}`]?.[method!], `${method} ${path}`).toBeDefined();
    }
    for (const name of ['Storefront', 'StorefrontSummary', 'StorefrontPage', 'ServiceItem', 'Case']) expect(doc.components.schemas).toHaveProperty(name);
  });
});
