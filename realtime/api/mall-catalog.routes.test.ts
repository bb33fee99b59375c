import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { eq } from 'drizzle-orm';
import { organisations } from '../../db/schema';
import { buildMobile, buildUscc } from '../../core/testing/factories';
import { individual, MANUAL_UNIT_EXAMPLES, merchant, unitBuyer } from '../../core/testing/mall-factories';
import { latestCode } from '../../core/testing/test-platform';
import { createApiHarness, type ApiHarness } from './test-helpers';

let h: ApiHarness;
let opsToken: string;
beforeAll(async () => {
  h = await createApiHarness();
  opsToken = await h.operatorToken();
});
afterAll(() => h?.close());

const zero = '00000000-0000-4000-8000-000000000000';
let seq = 0;
const username = (prefix: string) => `${prefix}${++seq}${Date.now().toString(36).slice(-4)}`;
const get = (path: string, token?: string) => h.json('GET', `/api/v1${path}`, undefined, { token });

/** Asks for the SMS code like the form does and reads it from the sandbox outbox. */
async function codeFor(mobile: string) {
  const sent = await h.json('POST', '/api/v1/auth/register-code', { mobile });
  expect(sent.status, sent.text).toBe(200);
  return latestCode(h.platform, mobile);
}

const unitForm = (over: Record<string, unknown> = {}) => ({
  username: username('unit'),
  password: 'Bangfu2026',
  confirmPassword: 'Bangfu2026',
  agreeTerms: true,
  attributeKind: 'other',
  unitName: '测试帮扶单位',
  uscc: buildUscc(),
  regionCode: '500118',
  mobile: buildMobile(),
  ...over,
});

async function registerUnit(over: Record<string, unknown> = {}) {
  const form = unitForm(over);
  const res = await h.json('POST', '/api/v1/mall/units/register', { ...form, code: await codeFor(form.mobile as string) });
  return { form, res, token: res.json?.token as string, unitId: res.json?.unitId as string };
}

async function registerIndividual(unitId: string | undefined, over: Record<string, unknown> = {}) {
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
  const res = await h.json('POST', '/api/v1/mall/individuals/register', { ...form, code: await codeFor(form.mobile) });
  return { form, res, token: res.json?.token as string };
}

async function registerMerchant(over: Record<string, unknown> = {}) {
  const form = {
    username: username('shop'),
    mobile: buildMobile(),
    password: 'Passw0rd1',
    confirmPassword: 'Passw0rd1',
    agreeTerms: true,
    organisationName: `酉阳县${username('')}农产品专业合作社`,
    uscc: buildUscc(),
    regionCode: '500242209',
    ...over,
  };
  const res = await h.json('POST', '/api/v1/mall/merchants/register', { ...form, code: await codeFor(form.mobile) });
  return { form, res, token: res.json?.token as string };
}

/** A merchant registered through the API, acting for its shop. */
async function shop(name?: string, regionCode = '500242209') {
  const m = await registerMerchant({ ...(name ? { organisationName: name } : {}), regionCode });
  expect(m.res.status, m.res.text).toBe(201);
  return m.token;
}

const png = (width = 1200, height = 900, colour = '#4a7') =>
  sharp({ create: { width, height, channels: 3, background: colour } })
    .png()
    .toBuffer()
    .then((b) => new Uint8Array(b));

/** Uploads a picture through POST /files (imageOnly) and returns its id. */
async function uploadImage(token: string, bytes?: Uint8Array) {
  const form = new FormData();
  form.append('file', new Blob([(bytes ?? (await png())) as Uint8Array<ArrayBuffer>], { type: 'image/png' }), 'photo.png');
  form.append('imageOnly', 'true');
  const res = await h.app.request('/api/v1/files', { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const productForm = (over: Record<string, unknown> = {}) => ({
  name: '酉阳花田贡米',
  categoryCode: 'grain.rice',
  originCode: '500242209',
  priceFen: 8_800,
  unit: '袋',
  stock: 200,
  description: '海拔 800 米梯田种植，一年一季。',
  contactPhone: '023-75551234',
  imageIds: [] as string[],
  ...over,
});

/** A listed product with one picture, made through the merchant routes. */
async function listed(token: string, over: Record<string, unknown> = {}) {
  const imageId = await uploadImage(token);
  const created = await h.json('POST', '/api/v1/merchant/products', productForm({ imageIds: [imageId], ...over }), { token });
  expect(created.status, created.text).toBe(201);
  const out = await h.json('POST', `/api/v1/merchant/products/${created.json.id}/publish`, undefined, { token });
  expect(out.status, out.text).toBe(200);
  return { id: created.json.id as string, imageId };
}

/** A product image as a browser loads it (bytes, not JSON). */
async function image(fileId: string, size: string, token?: string) {
  const res = await h.app.request(`/api/v1/mall/images/${fileId}/${size}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, type: res.headers.get('content-type'), cache: res.headers.get('cache-control'), bytes: new Uint8Array(await res.arrayBuffer()) };
}

describe('GET /mall/unit-attributes', () => {
  it('happy: the four kinds with their second level; 其他帮扶单位 has none', async () => {
    const res = await get('/mall/unit-attributes');
    expect(res.status).toBe(200);
    expect(res.json.map((o: { label: string }) => o.label)).toEqual(['中央帮扶单位', '鲁渝协作单位', '市级帮扶集团', '其他帮扶单位']);
    expect(res.json[0].groups).toContainEqual({ code: 'central.mwr', name: '水利部' });
    expect(res.json[1].groups).toContainEqual({ code: 'shandong.3714', name: '德州市' });
    expect(res.json[3].groups).toEqual([]);
  });
});

describe('POST /mall/units/register', () => {
  it.each(MANUAL_UNIT_EXAMPLES)(
    'happy: the manual’s example $unitName registers as $attributeKind / $group in $region, signed in',
    async ({ group, region, ...over }) => {
      const { res, token, unitId, form } = await registerUnit(over);
      expect(res.status, res.text).toBe(201);
      expect(res.json).toMatchObject({ token: expect.any(String), unitId: expect.any(String), user: { username: form.username } });
      const cookie = res.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(new RegExp(`^bangfu_session=${token};`));
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      const unit = await get('/mall/me/unit', token);
      expect(unit.status).toBe(200);
      expect(unit.json).toMatchObject({
        id: unitId,
        fullName: form.unitName,
        groupName: group,
        regionName: region,
        memberCount: 0,
        role: 'owner',
        status: 'active',
      });
      // The cookie works as well as the bearer token.
      const viaCookie = await h.json('GET', '/api/v1/auth/me', undefined, { cookie: cookie.split(';')[0] });
      expect(viaCookie.json.activeOrganisation).toMatchObject({ organisationId: unitId, kind: 'unit', fullName: form.unitName, role: 'owner' });
    },
  );

  it('errors: field messages in Chinese for the attribute, its group, the USCC, the region and the passwords', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ attributeKind: 'central', attributeGroupCode: 'shandong.3714' }, 'attributeGroupCode', '所选二级帮扶单位不属于“中央帮扶单位”'],
      [{ attributeKind: 'city_group' }, 'attributeGroupCode', '请选择市级帮扶集团的二级帮扶单位'],
      [{ attributeKind: 'other', attributeGroupCode: 'central.mwr' }, 'attributeGroupCode', '其他帮扶单位无需选择二级帮扶单位，请直接填写单位名称'],
      [{ attributeKind: '中央' }, 'attributeKind', '请选择单位属性'],
      [{ uscc: '91500118MA5U7Q8X1A' }, 'uscc', '统一社会信用代码校验位不正确，请核对'],
      [{ regionCode: '5001' }, 'regionCode', '请选择到区县（乡镇可选）'],
      [{ unitName: ' ' }, 'unitName', '请填写单位名称'],
      [{ confirmPassword: 'Other2026' }, 'confirmPassword', '两次输入的密码不一致'],
    ];
    for (const [over, field, message] of cases) {
      const res = await h.json('POST', '/api/v1/mall/units/register', { ...unitForm(over), code: '000000' });
      expect(res.status, JSON.stringify(over)).toBe(400);
      expect(res.json.error).toMatchObject({ code: 'VALIDATION', fields: { [field]: message } });
    }
    const empty = await h.json('POST', '/api/v1/mall/units/register', {});
    expect(empty.json.error.fields).toMatchObject({
      username: '请填写用户名',
      unitName: '请填写单位名称',
      uscc: '请填写统一社会信用代码',
      mobile: '请填写手机号',
      code: '请填写验证码',
    });
  });

  it('errors: a wrong SMS code is 400 CODE_INVALID; a USCC registered as a unit is 409 on its field', async () => {
    const form = unitForm();
    const code = await codeFor(form.mobile);
    const wrong = await h.json('POST', '/api/v1/mall/units/register', { ...form, code: code === '111111' ? '222222' : '111111' });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error).toMatchObject({ code: 'CODE_INVALID', fields: { code: expect.any(String) } });
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(await h.platform.db.select().from(organisations).where(eq(organisations.uscc, form.uscc))).toHaveLength(0);

    const first = await registerUnit({ unitName: '重庆市某区教委' });
    expect(first.res.status).toBe(201);
    const dup = await registerUnit({ uscc: first.form.uscc });
    expect(dup.res.status).toBe(409);
    expect(dup.res.json.error).toMatchObject({ code: 'ORGANISATION_EXISTS', fields: { uscc: expect.stringContaining('单位职工请注册个人用户') } });
  });
});

describe('GET /mall/units/search', () => {
  let cuntou: string;
  beforeAll(async () => {
    const r = await registerUnit({ unitName: '重庆村头科技发展有限公司' });
    expect(r.res.status).toBe(201);
    cuntou = r.unitId;
  });

  it('happy: “村头” finds 重庆村头科技发展有限公司, and so does the full name', async () => {
    for (const q of ['村头', '重庆村头科技发展有限公司', '科技 村头']) {
      const res = await get(`/mall/units/search?q=${encodeURIComponent(q)}`);
      expect(res.status).toBe(200);
      expect(res.json[0], q).toEqual({
        id: cuntou,
        fullName: '重庆村头科技发展有限公司',
        regionCode: '500118',
        regionName: '重庆市 永川区',
        attributeKind: 'other',
        attributeLabel: '其他帮扶单位',
        groupName: null,
      });
    }
    expect((await get(`/mall/units/search?q=${encodeURIComponent('没有这个单位')}`)).json).toEqual([]);
  });

  it('errors: no query, or one over 50 characters, is answered on the q field', async () => {
    const none = await get('/mall/units/search');
    expect(none.status).toBe(400);
    expect(none.json.error.fields).toEqual({ q: '请输入单位全称或关键字' });
    const long = await get(`/mall/units/search?q=${encodeURIComponent('单'.repeat(51))}`);
    expect(long.json.error.fields).toEqual({ q: '关键字不超过 50 个字' });
  });
});

describe('POST /mall/individuals/register, GET|PUT /mall/me/profile', () => {
  let unitA: string;
  let unitB: string;
  let unitOwner: string;
  beforeAll(async () => {
    const a = await registerUnit({ unitName: '重庆财经职业学院（接口测试）', attributeKind: 'city_group', attributeGroupCode: 'group.gov_office' });
    const b = await registerUnit({ unitName: '永川区双石镇人民政府（接口测试）', regionCode: '500118113' });
    [unitA, unitB, unitOwner] = [a.unitId, b.unitId, a.token];
  });

  it('happy: an employee registers under the unit found by the lookup, signed in, and changes unit later', async () => {
    const found = await get(`/mall/units/search?q=${encodeURIComponent('财经职业学院（接口测试）')}`);
    const { res, token, form } = await registerIndividual(found.json[0].id, { realName: '财院李娜', note: '会计学院' });
    expect(res.status, res.text).toBe(201);
    expect(res.headers.get('set-cookie')).toMatch(new RegExp(`^bangfu_session=${token};`));
    const me = await get('/mall/me/profile', token);
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({
      username: form.username,
      realName: '财院李娜',
      regionName: '重庆市 永川区',
      note: '会计学院',
      unit: { id: unitA, fullName: '重庆财经职业学院（接口测试）', status: 'pending' },
    });
    // Works at the unit, may not act for it until the unit approves (issue 13 §1).
    expect((await get('/mall/me/unit', token)).status).toBe(403);
    const before = (await get('/mall/me/unit', unitOwner)).json.memberCount as number;
    const userId = (await get('/auth/me', token)).json.user.id as string;
    expect((await h.json('POST', `/api/v1/mall/unit/employees/${userId}/decision`, { decision: 'approve' }, { token: unitOwner })).status).toBe(200);
    expect((await get('/mall/me/unit', token)).json).toMatchObject({ id: unitA, role: 'member' });
    expect((await get('/mall/me/unit', unitOwner)).json.memberCount).toBe(before + 1);

    const moved = await h.json('PUT', '/api/v1/mall/me/profile', { unitId: unitB, realName: '双石李娜', regionCode: '500118113', note: '' }, { token });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.json).toMatchObject({ realName: '双石李娜', regionName: '重庆市 永川区 双石镇', note: null, unit: { id: unitB, status: 'pending' } });
    // The powers at the old unit end; the new unit has not approved yet.
    expect((await get('/auth/me', token)).json.activeOrganisation).toBeNull();
  });

  it('errors: no unit chosen, an unknown unit, a bad real name, region or password, each on its field', async () => {
    const noUnit = await registerIndividual(undefined);
    expect(noUnit.res.status).toBe(400);
    expect(noUnit.res.json.error.fields).toEqual({ unitId: '请从查找结果中选择您的单位；查找不到的，请先进行单位注册' });
    const unknown = await registerIndividual(zero);
    expect(unknown.res.json.error).toMatchObject({ code: 'VALIDATION', fields: { unitId: '所选单位不存在或已停用；查找不到的，请先进行单位注册' } });
    const bad = await h.json('POST', '/api/v1/mall/individuals/register', {
      username: 'ab',
      mobile: '1234',
      code: '12',
      password: 'short',
      realName: '张',
      regionCode: '5001',
      unitId: unitA,
    });
    expect(bad.json.error.fields).toMatchObject({
      username: '用户名由字母和数字组成，长度 4–20 位',
      mobile: '请填写正确的 11 位大陆手机号',
      code: '验证码为 6 位数字',
      password: '密码长度 8–32 位',
      realName: '真实姓名为 2–20 个汉字或字母',
      regionCode: '请选择到区县（乡镇可选）',
    });
    const { token } = await registerIndividual(unitA);
    const move = await h.json('PUT', '/api/v1/mall/me/profile', { unitId: zero, realName: '王' }, { token });
    expect(move.status).toBe(400);
    expect(move.json.error.fields).toMatchObject({ realName: '真实姓名为 2–20 个汉字或字母' });
    const gone = await h.json('PUT', '/api/v1/mall/me/profile', { unitId: zero }, { token });
    expect(gone.json.error.fields).toEqual({ unitId: '所选单位不存在或已停用；查找不到的，请先进行单位注册' });
    expect((await get('/mall/me/profile', token)).json.unit.id).toBe(unitA);
  });

  it('auth: anonymous 401; accounts that are not individuals have no profile (404); /mall/me/unit is for units only (403)', async () => {
    await h.expectRefusals('signed-in', { method: 'GET', path: '/api/v1/mall/me/profile' });
    await h.expectRefusals('signed-in', { method: 'PUT', path: '/api/v1/mall/me/profile', body: { realName: '张三' } });
    await h.expectRefusals('signed-in', { method: 'GET', path: '/api/v1/mall/me/unit' });
    expect((await get('/mall/me/profile', unitOwner)).status).toBe(404);
    expect((await h.json('PUT', '/api/v1/mall/me/profile', { realName: '单位管理员' }, { token: unitOwner })).status).toBe(404);
    const m = await shop();
    expect((await get('/mall/me/unit', m)).json.error.code).toBe('FORBIDDEN');
  });
});

describe('POST /mall/merchants/register', () => {
  it('happy: a 供货商家 with its township, signed in as the merchant whatever accountType says', async () => {
    const { res, token, form } = await registerMerchant({
      accountType: 'enterprise',
      organisationName: '巫溪县红池坝镇中蜂养殖专业合作社（接口）',
      regionCode: '500238118',
    });
    expect(res.status, res.text).toBe(201);
    expect(res.headers.get('set-cookie')).toMatch(new RegExp(`^bangfu_session=${token};`));
    expect((await get('/auth/me', token)).json.activeOrganisation).toMatchObject({ kind: 'merchant', fullName: form.organisationName, role: 'owner' });
    expect((await get('/merchant/products', token)).json).toMatchObject({ total: 0, counts: { draft: 0, listed: 0, unlisted: 0, taken_down: 0 } });
  });

  it('errors: the region is required down to a district or township; taken username → 409', async () => {
    const none = await h.json('POST', '/api/v1/mall/merchants/register', {
      username: username('shop'),
      mobile: buildMobile(),
      code: '000000',
      password: 'Passw0rd1',
      confirmPassword: 'Passw0rd1',
      agreeTerms: true,
      organisationName: '巫溪县测试合作社',
      uscc: buildUscc(),
    });
    expect(none.status).toBe(400);
    expect(none.json.error.fields).toEqual({ regionCode: '请选择商家所在的区县或乡镇' });
    const city = await registerMerchant({ regionCode: '5002' });
    expect(city.res.json.error.fields).toEqual({ regionCode: '请选择到区县或乡镇' });
    const first = await registerMerchant();
    const dup = await registerMerchant({ username: first.form.username });
    expect(dup.res.status).toBe(409);
    expect(dup.res.json.error.fields).toMatchObject({ username: '该用户名已被注册' });
  });
});

describe('merchant products: /merchant/products', () => {
  let owner: string;
  let rival: string;
  beforeAll(async () => {
    owner = await shop('酉阳县花田乡贡米专业合作社（接口）');
    rival = await shop('城口县高观镇腊味专业合作社（接口）', '500229107');
  });

  it('happy: a draft with two pictures, published, edited, unlisted; the console counts each status', async () => {
    const a = await uploadImage(owner, await png(1600, 1200));
    const b = await uploadImage(owner, await png(400, 300, '#c33'));
    const created = await h.json('POST', '/api/v1/merchant/products', productForm({ imageIds: [a, b] }), { token: owner });
    expect(created.status, created.text).toBe(201);
    const id = created.json.id;
    expect(created.json).toMatchObject({
      status: 'draft',
      statusLabel: '草稿',
      own: true,
      category: { code: 'grain.rice', name: '大米', parentName: '粮油' },
      origin: { code: '500242209', name: '重庆市 酉阳土家族苗族自治县 花田乡', districtCode: '500242' },
      merchant: { name: '酉阳县花田乡贡米专业合作社（接口）', contactPhone: '023-75551234' },
      images: [
        { fileId: a, thumbUrl: `/api/v1/mall/images/${a}/thumb`, detailUrl: `/api/v1/mall/images/${a}/detail` },
        { fileId: b, thumbUrl: `/api/v1/mall/images/${b}/thumb`, detailUrl: `/api/v1/mall/images/${b}/detail` },
      ],
    });
    expect((await get(`/mall/products/${id}`)).status).toBe(404);

    const out = await h.json('POST', `/api/v1/merchant/products/${id}/publish`, undefined, { token: owner });
    expect(out.json).toEqual({ id, status: 'listed', statusLabel: '在售', featured: false });
    expect((await get(`/mall/products/${id}`)).json).toMatchObject({ id, status: 'listed', own: false, takedownReason: null });

    const edited = await h.json('PUT', `/api/v1/merchant/products/${id}`, productForm({ name: '酉阳花田贡米 5kg', imageIds: [a], priceFen: 9_900 }), {
      token: owner,
    });
    expect(edited.status, edited.text).toBe(200);
    expect(edited.json).toMatchObject({ name: '酉阳花田贡米 5kg', priceFen: 9_900, status: 'listed', imageIds: [a] });

    const console = await get('/merchant/products?status=listed', owner);
    expect(console.json.items.map((i: { id: string }) => i.id)).toContain(id);
    expect(console.json.items.find((i: { id: string }) => i.id === id)).toMatchObject({
      statusLabel: '在售',
      categoryName: '大米',
      imageUrl: `/api/v1/mall/images/${a}/thumb`,
    });
    expect(console.json.counts.listed).toBeGreaterThanOrEqual(1);

    const down = await h.json('POST', `/api/v1/merchant/products/${id}/unpublish`, undefined, { token: owner });
    expect(down.json).toMatchObject({ status: 'unlisted', statusLabel: '已下架' });
    expect((await get(`/mall/products/${id}`)).status).toBe(404);
    expect((await get(`/mall/products/${id}`, owner)).json).toMatchObject({ status: 'unlisted', own: true });
    expect((await get('/merchant/products?q=花田贡米 5kg', owner)).json.items.map((i: { id: string }) => i.id)).toEqual([id]);
  });

  it('errors: each field in Chinese; a top-level category, another merchant’s picture, publishing without a picture', async () => {
    const bad = await h.json(
      'POST',
      '/api/v1/merchant/products',
      { name: '米', originCode: '5002', priceFen: 0, unit: '', stock: -1, contactPhone: '12345' },
      { token: owner },
    );
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields).toMatchObject({
      name: '商品名称 2–60 个字',
      categoryCode: '请选择商品分类',
      originCode: '请选择到区县（乡镇可选）',
      priceFen: '价格必须大于 0',
      unit: '计价单位为 1–6 个字，如 斤、箱、袋',
      stock: '库存不能为负数',
      contactPhone: '请填写手机号或带区号的固定电话，如 023-76662918',
    });
    const top = await h.json('POST', '/api/v1/merchant/products', productForm({ categoryCode: 'grain' }), { token: owner });
    expect(top.json.error.fields).toEqual({ categoryCode: '请选择二级商品分类' });
    const theirs = await uploadImage(rival);
    const stolen = await h.json('POST', '/api/v1/merchant/products', productForm({ imageIds: [theirs] }), { token: owner });
    expect(stolen.json.error.fields).toEqual({ imageIds: '图片不存在或不能使用' });
    const seven = await h.json('POST', '/api/v1/merchant/products', productForm({ imageIds: Array.from({ length: 7 }, () => crypto.randomUUID()) }), {
      token: owner,
    });
    expect(seven.json.error.fields).toEqual({ imageIds: '最多上传 6 张图片' });

    const bare = await h.json('POST', '/api/v1/merchant/products', productForm({ name: '无图商品' }), { token: owner });
    expect(bare.status).toBe(201);
    const noPicture = await h.json('POST', `/api/v1/merchant/products/${bare.json.id}/publish`, undefined, { token: owner });
    expect(noPicture.status).toBe(400);
    expect(noPicture.json.error.fields).toEqual({ imageIds: '上架前请至少上传一张商品图片' });
    const kept = await listed(owner, { name: '有图商品' });
    const stripped = await h.json('PUT', `/api/v1/merchant/products/${kept.id}`, productForm({ name: '有图商品', imageIds: [] }), { token: owner });
    expect(stripped.json.error.fields).toEqual({ imageIds: '在售商品至少保留一张图片' });
    const badQuery = await get('/merchant/products?status=sold', owner);
    expect(badQuery.json.error.fields).toEqual({ status: '商品状态无效' });
    expect((await get('/merchant/products?page=abc&pageSize=1.5', owner)).json.error.fields).toEqual({ page: '页码无效', pageSize: '每页条数无效' });
  });

  it('auth: anonymous 401; organisations that are not merchants 403; another merchant’s product 404', async () => {
    const mine = await listed(owner, { name: '酉阳青花椒', categoryCode: 'seasoning.chili' });
    for (const route of [
      { method: 'GET', path: '/api/v1/merchant/products' },
      { method: 'POST', path: '/api/v1/merchant/products', body: productForm() },
      { method: 'PUT', path: `/api/v1/merchant/products/${mine.id}`, body: productForm() },
      { method: 'POST', path: `/api/v1/merchant/products/${mine.id}/publish` },
      { method: 'POST', path: `/api/v1/merchant/products/${mine.id}/unpublish` },
    ]) {
      await h.expectRefusals('signed-in', route);
    }
    const unit = await registerUnit();
    const enterprise = (await h.user()).token;
    const buyer = (await individual(h.platform, null)).token;
    for (const token of [unit.token, enterprise, buyer]) {
      expect((await get('/merchant/products', token)).json.error.code).toBe('FORBIDDEN');
      expect((await h.json('POST', '/api/v1/merchant/products', productForm(), { token })).status).toBe(403);
      expect((await h.json('POST', `/api/v1/merchant/products/${mine.id}/unpublish`, undefined, { token })).status).toBe(403);
    }
    // A merchant acting for another organisation kind is refused until it switches.
    const twoHats = await merchant(h.platform);
    expect((await get('/merchant/products', twoHats.token)).status).toBe(403);

    for (const [method, path, body] of [
      ['PUT', `/merchant/products/${mine.id}`, productForm({ name: '改别人的' })],
      ['POST', `/merchant/products/${mine.id}/unpublish`, undefined],
      ['POST', `/merchant/products/${mine.id}/publish`, undefined],
      ['PUT', '/merchant/products/not-a-uuid', productForm()],
      ['POST', `/merchant/products/${zero}/publish`, undefined],
    ] as const) {
      const res = await h.json(method, `/api/v1${path}`, body, { token: rival });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.json.error).toMatchObject({ code: 'NOT_FOUND', message: '商品不存在或已下架' });
    }
    expect((await get(`/mall/products/${mine.id}`)).json).toMatchObject({ name: '酉阳青花椒', status: 'listed' });
  });
});

describe('GET /mall/images/{fileId}/{size}', () => {
  it('happy: both sizes as webp with a public cache header while the product is listed', async () => {
    const owner = await shop();
    const fileId = await uploadImage(owner, await png(1600, 1200));
    const { id } = await listed(owner, { name: '花田乡富硒米', imageIds: [fileId] });
    const thumb = await image(fileId, 'thumb');
    expect(thumb).toMatchObject({ status: 200, type: 'image/webp' });
    expect(thumb.cache).toMatch(/^public, max-age=\d+/);
    expect(await sharp(thumb.bytes).metadata()).toMatchObject({ format: 'webp', width: 320, height: 240 });
    const detail = await image(fileId, 'detail');
    expect(detail).toMatchObject({ status: 200, type: 'image/webp' });
    expect(await sharp(detail.bytes).metadata()).toMatchObject({ format: 'webp', width: 960, height: 720 });
    // The product page links exactly these.
    expect((await get(`/mall/products/${id}`)).json.images[0]).toMatchObject({
      thumbUrl: `/api/v1/mall/images/${fileId}/thumb`,
      detailUrl: `/api/v1/mall/images/${fileId}/detail`,
    });
  });

  it('auth: an unlisted product’s pictures are 404 to strangers, served privately to its merchant and operators', async () => {
    const owner = await shop();
    const { id, imageId } = await listed(owner, { name: '下架后的米' });
    await h.json('POST', `/api/v1/merchant/products/${id}/unpublish`, undefined, { token: owner });
    const stranger = (await h.user()).token;
    const rival = await shop();
    for (const token of [undefined, stranger, rival]) {
      for (const size of ['thumb', 'detail']) {
        const res = await image(imageId, size, token);
        expect(res.status, `${size} as ${token ? 'someone else' : 'anonymous'}`).toBe(404);
        expect(res.type).toContain('application/json');
      }
    }
    for (const token of [owner, opsToken]) {
      const res = await image(imageId, 'thumb', token);
      expect(res).toMatchObject({ status: 200, type: 'image/webp' });
      expect(res.cache).toMatch(/^private/);
    }
    // A draft's pictures likewise.
    const draftImage = await uploadImage(owner);
    await h.json('POST', '/api/v1/merchant/products', productForm({ name: '草稿米', imageIds: [draftImage] }), { token: owner });
    expect((await image(draftImage, 'thumb')).status).toBe(404);
    expect((await image(draftImage, 'thumb', owner)).status).toBe(200);
    // The merchant console's <img> sends the session cookie, not a bearer token.
    const viaCookie = await h.app.request(`/api/v1/mall/images/${draftImage}/thumb`, { headers: { cookie: `bangfu_session=${owner}` } });
    expect([viaCookie.status, viaCookie.headers.get('content-type')]).toEqual([200, 'image/webp']);
  });

  it('errors: an unknown size, an id that is not a product picture, or no id at all is 404', async () => {
    const owner = await shop();
    const { imageId } = await listed(owner);
    expect((await image(imageId, 'huge')).status).toBe(404);
    expect((await image(imageId, 'original')).status).toBe(404);
    expect((await image(zero, 'thumb')).status).toBe(404);
    expect((await image('not-a-uuid', 'thumb')).status).toBe(404);
    const loose = await uploadImage(owner);
    expect((await image(loose, 'thumb', owner)).status).toBe(404);
  });
});

describe('browsing: /mall/home, /mall/products, /mall/regions, /mall/categories', () => {
  let bacon: string;
  let walnut: string;
  let honey: string;
  let chengkou: string;
  beforeAll(async () => {
    chengkou = await shop('城口县浏览测试腊味合作社', '500229107');
    const wuxi = await shop('巫溪县浏览测试蜂蜜合作社', '500238118');
    bacon = (
      await listed(chengkou, {
        name: '城口柴火老腊肉',
        categoryCode: 'meat.pork',
        originCode: '500229107',
        priceFen: 12_800,
        unit: '斤',
        description: '柴火熏制 90 天',
      })
    ).id;
    walnut = (await listed(chengkou, { name: '城口薄壳核桃', categoryCode: 'mountain.nut', originCode: '500229', priceFen: 3_900, unit: '斤' })).id;
    honey = (await listed(wuxi, { name: '红池坝中蜂百花蜜', categoryCode: 'mountain.honey', originCode: '500238118', priceFen: 15_800, unit: '瓶' })).id;
  });

  it('happy: search by words with filters, sorts and pages', async () => {
    const ids = async (query: string) => {
      const res = await get(`/mall/products?${query}`);
      expect(res.status, res.text).toBe(200);
      return res.json.items.map((i: { id: string }) => i.id);
    };
    expect(await ids(`q=${encodeURIComponent('柴火熏制')}`)).toEqual([bacon]);
    expect(await ids(`q=${encodeURIComponent('百花蜜')}`)).toEqual([honey]);
    expect(await ids(`origin=500229&sort=price_asc`)).toEqual([walnut, bacon]);
    expect(await ids(`origin=500229&sort=price_desc`)).toEqual([bacon, walnut]);
    expect(await ids(`origin=500229&category=mountain`)).toEqual([walnut]);
    expect(await ids(`origin=500229&priceMin=4000`)).toEqual([bacon]);
    const page2 = await get('/mall/products?origin=500229&sort=price_asc&pageSize=1&page=2');
    expect(page2.json).toMatchObject({
      total: 2,
      page: 2,
      pageSize: 1,
      sort: 'price_asc',
      items: [
        {
          id: bacon,
          name: '城口柴火老腊肉',
          priceFen: 12_800,
          originName: '重庆市 城口县 高观镇',
          merchantName: '城口县浏览测试腊味合作社',
          imageUrl: expect.stringMatching(/\/thumb$/),
        },
      ],
    });
  });

  it('errors: bad filters are answered per field', async () => {
    const cases: [string, Record<string, string>][] = [
      ['priceMin=500&priceMax=100', { priceMax: '最高价不能低于最低价' }],
      ['sort=cheapest', { sort: '排序方式无效' }],
      ['origin=x', { origin: '产地无效' }],
      ['category=nope', { category: '商品分类不存在' }],
      ['pageSize=100', { pageSize: '每页 1–60 条' }],
      ['merchantId=42', { merchantId: '商家编号无效' }],
    ];
    for (const [query, fields] of cases) {
      const res = await get(`/mall/products?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.json.error.fields, query).toEqual(fields);
    }
    expect((await get(`/mall/products/${zero}`)).status).toBe(404);
    expect((await get('/mall/products/not-a-uuid')).status).toBe(404);
  });

  it('happy: the 帮扶区县/乡镇 pages list districts and townships with listed products, and their products', async () => {
    const county = await get('/mall/regions/500229?sort=price_asc');
    expect(county.status).toBe(200);
    expect(county.json.region).toEqual({ code: '500229', name: '城口县', fullName: '重庆市 城口县' });
    expect(county.json.districts).toEqual([expect.objectContaining({ code: '500229', name: '城口县', count: 2 })]);
    expect(county.json.townships).toEqual([expect.objectContaining({ code: '500229107', name: '高观镇', count: 1 })]);
    expect(county.json.products.items.map((i: { id: string }) => i.id)).toEqual([walnut, bacon]);
    const township = await get('/mall/regions/500238118');
    expect(township.json.region).toMatchObject({ name: '红池坝镇' });
    expect(township.json.products.items.map((i: { id: string }) => i.id)).toEqual([honey]);
    const all = await get('/mall/regions');
    expect(all.json.region).toBeNull();
    expect(all.json.districts.map((d: { code: string }) => d.code)).toEqual(expect.arrayContaining(['500229', '500238']));
    expect((await get('/mall/regions/99')).status).toBe(404);
    expect((await get('/mall/regions/abc')).json.error).toMatchObject({ code: 'NOT_FOUND', message: '地区不存在' });
    expect((await get('/mall/regions/500229?sort=cheapest')).json.error.fields).toEqual({ sort: '排序方式无效' });
  });

  it('happy: home shows featured products, the newest per category and the districts; categories have two levels', async () => {
    expect((await h.json('POST', `/api/v1/admin/mall/products/${honey}/feature`, { featured: true }, { token: opsToken })).json).toEqual({
      id: honey,
      featured: true,
    });
    const home = await get('/mall/home');
    expect(home.status).toBe(200);
    expect(home.json.featured.find((p: { id: string }) => p.id === honey)).toMatchObject({ featured: true, merchantName: '巫溪县浏览测试蜂蜜合作社' });
    const mountain = home.json.sections.find((s: { category: { code: string } }) => s.category.code === 'mountain');
    expect(mountain.category.name).toBe('山货特产');
    expect(mountain.items.map((i: { id: string }) => i.id)).toEqual(expect.arrayContaining([walnut, honey]));
    expect(home.json.districts.map((d: { code: string }) => d.code)).toEqual(expect.arrayContaining(['500229', '500238']));
    const tree = await get('/mall/categories');
    expect(tree.json).toHaveLength(10);
    expect(tree.json[0]).toMatchObject({ code: 'grain', name: '粮油', children: expect.arrayContaining([{ code: 'grain.rice', name: '大米' }]) });
  });
});

describe('operators: /admin/mall/products', () => {
  it('happy: list every status, take down with a reason (the merchant cannot relist), restore, feature', async () => {
    const owner = await shop('酉阳县运营测试合作社');
    const p = await listed(owner, { name: '酉阳土家腊肉', categoryCode: 'meat.pork' });
    const merchantId = (await get('/auth/me', owner)).json.activeOrganisation.organisationId;
    const list = await get(`/admin/mall/products?merchantId=${merchantId}`, opsToken);
    expect(list.status).toBe(200);
    expect(list.json).toMatchObject({ total: 1, counts: { listed: 1 }, items: [{ id: p.id, status: 'listed', merchantId }] });

    expect((await h.json('POST', `/api/v1/admin/mall/products/${p.id}/feature`, { featured: true }, { token: opsToken })).json.featured).toBe(true);
    const down = await h.json('POST', `/api/v1/admin/mall/products/${p.id}/take-down`, { reason: '缺少食品生产许可证' }, { token: opsToken });
    expect(down.json).toEqual({ id: p.id, status: 'taken_down', statusLabel: '平台下架', featured: false });
    expect((await get(`/mall/products/${p.id}`)).status).toBe(404);
    expect((await image(p.imageId, 'thumb')).status).toBe(404);
    expect((await get(`/mall/products/${p.id}`, owner)).json.takedownReason).toBe('缺少食品生产许可证');
    const relist = await h.json('POST', `/api/v1/merchant/products/${p.id}/publish`, undefined, { token: owner });
    expect(relist.status).toBe(409);
    expect(relist.json.error).toMatchObject({ code: 'PRODUCT_TAKEN_DOWN', message: expect.stringContaining('缺少食品生产许可证') });
    expect((await get('/messages', owner)).json.items[0]).toMatchObject({ title: '商品已被平台下架' });
    expect((await get(`/admin/mall/products?status=taken_down&merchantId=${merchantId}`, opsToken)).json.items.map((i: { id: string }) => i.id)).toEqual([
      p.id,
    ]);

    expect((await h.json('POST', `/api/v1/admin/mall/products/${p.id}/restore`, undefined, { token: opsToken })).json).toMatchObject({ status: 'unlisted' });
    expect((await h.json('POST', `/api/v1/merchant/products/${p.id}/publish`, undefined, { token: owner })).json.status).toBe('listed');
    expect((await get(`/mall/products/${p.id}`)).status).toBe(200);
  });

  it('errors: a reason is required, featured must be a yes or no, only listed products are featured, unknown products are 404', async () => {
    const owner = await shop();
    const p = await listed(owner);
    const noReason = await h.json('POST', `/api/v1/admin/mall/products/${p.id}/take-down`, { reason: '' }, { token: opsToken });
    expect(noReason.status).toBe(400);
    expect(noReason.json.error.fields).toEqual({ reason: '请填写下架原因' });
    const notBool = await h.json('POST', `/api/v1/admin/mall/products/${p.id}/feature`, { featured: 'yes' }, { token: opsToken });
    expect(notBool.json.error.fields).toEqual({ featured: '请选择是否推荐' });
    await h.json('POST', `/api/v1/merchant/products/${p.id}/unpublish`, undefined, { token: owner });
    const unlisted = await h.json('POST', `/api/v1/admin/mall/products/${p.id}/feature`, { featured: true }, { token: opsToken });
    expect(unlisted.status).toBe(409);
    expect(unlisted.json.error).toMatchObject({ code: 'PRODUCT_STATUS_FORBIDS', message: '只有在售商品可以设为推荐' });
    const restoreListed = await h.json('POST', `/api/v1/admin/mall/products/${p.id}/restore`, undefined, { token: opsToken });
    expect(restoreListed.status).toBe(409);
    for (const [path, body] of [
      [`/admin/mall/products/${zero}/take-down`, { reason: '违规商品' }],
      ['/admin/mall/products/nope/restore', undefined],
      [`/admin/mall/products/${zero}/feature`, { featured: false }],
    ] as const) {
      expect((await h.json('POST', `/api/v1${path}`, body, { token: opsToken })).status, path).toBe(404);
    }
    expect((await get('/admin/mall/products?merchantId=x', opsToken)).json.error.fields).toEqual({ merchantId: '商家编号无效' });
  });

  it('auth: every operator route is 401 anonymous and 403 to anyone else, the merchant included', async () => {
    const owner = await shop();
    const p = await listed(owner);
    const routes = [
      { method: 'GET', path: '/api/v1/admin/mall/products' },
      { method: 'POST', path: `/api/v1/admin/mall/products/${p.id}/take-down`, body: { reason: '自己下架试试' } },
      { method: 'POST', path: `/api/v1/admin/mall/products/${p.id}/restore` },
      { method: 'POST', path: `/api/v1/admin/mall/products/${p.id}/feature`, body: { featured: true } },
    ];
    for (const r of routes) {
      await h.expectRefusals('operator', r);
      const res = await h.json(r.method, r.path, r.body, { token: owner });
      expect(res.status).toBe(403);
    }
    expect((await get(`/mall/products/${p.id}`)).json).toMatchObject({ status: 'listed', featured: false });
  });
});

describe('addresses: /addresses', () => {
  const addressForm = (over: Record<string, unknown> = {}) => ({
    recipient: '李四',
    mobile: '13800138000',
    regionCode: '500118113',
    detail: '太平村 3 组 12 号',
    ...over,
  });

  it('happy: the first is the default; another can take it; edit; deleting the default passes it to the newest left', async () => {
    const { token } = await individual(h.platform, null);
    const first = await h.json('POST', '/api/v1/addresses', addressForm(), { token });
    expect(first.status, first.text).toBe(201);
    expect(first.json).toMatchObject({
      recipient: '李四',
      regionName: '重庆市 永川区 双石镇',
      fullAddress: '重庆市 永川区 双石镇 太平村 3 组 12 号',
      isDefault: true,
    });
    const second = await h.json('POST', '/api/v1/addresses', addressForm({ recipient: '王五', detail: '双石镇政府 1 号楼' }), { token });
    expect(second.json.isDefault).toBe(false);
    const third = await h.json(
      'POST',
      '/api/v1/addresses',
      addressForm({ recipient: '赵六', detail: '永川区人民大道 8 号', regionCode: '500118', isDefault: true }),
      { token },
    );
    expect(third.json.isDefault).toBe(true);
    const list = await get('/addresses', token);
    expect(list.json.map((a: { id: string; isDefault: boolean }) => [a.id, a.isDefault])).toEqual([
      [third.json.id, true],
      [second.json.id, false],
      [first.json.id, false],
    ]);
    expect((await get(`/addresses/${first.json.id}`, token)).json).toMatchObject({ id: first.json.id, recipient: '李四' });

    const edited = await h.json('PUT', `/api/v1/addresses/${first.json.id}`, addressForm({ recipient: '李四娃', mobile: '+86 139 0000 1111' }), { token });
    expect(edited.json).toMatchObject({ recipient: '李四娃', mobile: '13900001111', isDefault: false });
    const made = await h.json('POST', `/api/v1/addresses/${first.json.id}/default`, undefined, { token });
    expect(made.json).toMatchObject({ id: first.json.id, isDefault: true });
    expect((await h.json('DELETE', `/api/v1/addresses/${first.json.id}`, undefined, { token })).json).toEqual({ deleted: true });
    const left = await get('/addresses', token);
    expect(left.json.map((a: { id: string; isDefault: boolean }) => [a.id, a.isDefault])).toEqual([
      [third.json.id, true],
      [second.json.id, false],
    ]);
  });

  it('errors: each field in Chinese; more than 20 is a conflict', async () => {
    const { token } = await individual(h.platform, null);
    const empty = await h.json('POST', '/api/v1/addresses', {}, { token });
    expect(empty.status).toBe(400);
    expect(empty.json.error.fields).toEqual({ recipient: '请填写收货人', mobile: '请填写手机号', regionCode: '请选择所在地区', detail: '请填写详细地址' });
    const bad = await h.json('POST', '/api/v1/addresses', addressForm({ recipient: '李', mobile: '12345', regionCode: '5001', detail: '村里' }), { token });
    expect(bad.json.error.fields).toEqual({
      recipient: '收货人 2–20 个字',
      mobile: '请填写正确的 11 位大陆手机号',
      regionCode: '请选择到区县（乡镇可选）',
      detail: '请填写详细地址（街道、门牌号）',
    });
    const first = await h.json('POST', '/api/v1/addresses', addressForm(), { token });
    const badEdit = await h.json('PUT', `/api/v1/addresses/${first.json.id}`, addressForm({ regionCode: '50' }), { token });
    expect(badEdit.json.error.fields).toEqual({ regionCode: '请选择到区县（乡镇可选）' });
    expect((await h.json('POST', '/api/v1/addresses', addressForm({ isDefault: 'yes' }), { token })).json.error.fields).toEqual({
      isDefault: '是否设为默认地址须为 true 或 false',
    });
    for (let i = 1; i < 20; i++) expect((await h.json('POST', '/api/v1/addresses', addressForm({ detail: `太平村 ${i} 组` }), { token })).status).toBe(201);
    const full = await h.json('POST', '/api/v1/addresses', addressForm({ detail: '太平村 21 组' }), { token });
    expect(full.status).toBe(409);
    expect(full.json.error).toMatchObject({ code: 'ADDRESS_LIMIT_REACHED', message: '最多保存 20 个收货地址，请先删除不用的地址' });
    expect((await get('/addresses', token)).json).toHaveLength(20);
  });

  it('auth: anonymous 401; another person’s address is 404 and stays as it was', async () => {
    const owner = await individual(h.platform, null);
    const mine = await h.json('POST', '/api/v1/addresses', addressForm(), { token: owner.token });
    const id = mine.json.id;
    for (const route of [
      { method: 'GET', path: '/api/v1/addresses' },
      { method: 'POST', path: '/api/v1/addresses', body: addressForm() },
      { method: 'GET', path: `/api/v1/addresses/${id}` },
      { method: 'PUT', path: `/api/v1/addresses/${id}`, body: addressForm() },
      { method: 'DELETE', path: `/api/v1/addresses/${id}` },
      { method: 'POST', path: `/api/v1/addresses/${id}/default` },
    ]) {
      await h.expectRefusals('signed-in', route);
    }
    const other = (await unitBuyer(h.platform)).token;
    expect((await get('/addresses', other)).json).toEqual([]);
    for (const [method, path, body] of [
      ['GET', `/addresses/${id}`, undefined],
      ['PUT', `/addresses/${id}`, addressForm({ recipient: '冒名顶替' })],
      ['DELETE', `/addresses/${id}`, undefined],
      ['POST', `/addresses/${id}/default`, undefined],
      ['GET', '/addresses/not-a-uuid', undefined],
    ] as const) {
      const res = await h.json(method, `/api/v1${path}`, body, { token: other });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.json.error).toMatchObject({ code: 'NOT_FOUND', message: '收货地址不存在' });
    }
    expect((await get(`/addresses/${id}`, owner.token)).json).toMatchObject({ recipient: '李四', isDefault: true });
  });
});

describe('OpenAPI', () => {
  it('documents every catalog, registration, image and address route with its method', async () => {
    const doc = await get('/openapi.json');
    const paths = doc.json.paths as Record<string, Record<string, unknown>>;
    const expected: [string, string[]][] = [
      ['/mall/unit-attributes', ['get']],
      ['/mall/units/register', ['post']],
      ['/mall/units/search', ['get']],
      ['/mall/individuals/register', ['post']],
      ['/mall/merchants/register', ['post']],
      ['/mall/me/profile', ['get', 'put']],
      ['/mall/me/unit', ['get']],
      ['/mall/home', ['get']],
      ['/mall/products', ['get']],
      ['/mall/products/{id}', ['get']],
      ['/mall/regions', ['get']],
      ['/mall/regions/{code}', ['get']],
      ['/mall/categories', ['get']],
      ['/mall/images/{fileId}/{size}', ['get']],
      ['/merchant/products', ['get', 'post']],
      ['/merchant/products/{id}', ['put']],
      ['/merchant/products/{id}/publish', ['post']],
      ['/merchant/products/{id}/unpublish', ['post']],
      ['/admin/mall/products', ['get']],
      ['/admin/mall/products/{id}/take-down', ['post']],
      ['/admin/mall/products/{id}/restore', ['post']],
      ['/admin/mall/products/{id}/feature', ['post']],
      ['/addresses', ['get', 'post']],
      ['/addresses/{id}', ['get', 'put', 'delete']],
      ['/addresses/{id}/default', ['post']],
    ];
    for (const [path, methods] of expected) {
      expect(Object.keys(paths[`/api/v1${path}`] ?? {}).sort(), path).toEqual([...methods].sort());
    }
    for (const name of [
      'Product',
      'ProductCard',
      'ProductPage',
      'ManagedProductPage',
      'MallHome',
      'MallRegionPage',
      'Address',
      'UnitSession',
      'IndividualProfile',
      'UnitSearchResult',
      'MerchantRegistration',
    ]) {
      expect(Object.keys(doc.json.components.schemas), name).toContain(name);
    }
    expect(doc.json.components.schemas.MerchantRegistration.required).not.toContain('accountType');
  });
});
