import { describe, expect, it } from 'vitest';
import { canSeeProduct, decideProductAction, PRODUCT_TRANSITIONS, type ProductAction, type ProductStatus } from './catalog.machine';
import { ContactPhone, ProductInput, ProductSearchQuery } from './catalog.schema';

const STATUSES = Object.keys(PRODUCT_TRANSITIONS) as ProductStatus[];
const ACTIONS: ProductAction[] = ['publish', 'unpublish', 'take_down', 'restore'];

describe('product transitions', () => {
  const cases = STATUSES.flatMap((s) => ACTIONS.map((a) => [s, a] as const));
  const expected: Record<string, ProductStatus | 'PRODUCT_STATUS_FORBIDS' | 'PRODUCT_TAKEN_DOWN'> = {
    'draft publish': 'listed',
    'draft unpublish': 'PRODUCT_STATUS_FORBIDS',
    'draft take_down': 'taken_down',
    'draft restore': 'PRODUCT_STATUS_FORBIDS',
    'listed publish': 'listed',
    'listed unpublish': 'unlisted',
    'listed take_down': 'taken_down',
    'listed restore': 'PRODUCT_STATUS_FORBIDS',
    'unlisted publish': 'listed',
    'unlisted unpublish': 'unlisted',
    'unlisted take_down': 'taken_down',
    'unlisted restore': 'PRODUCT_STATUS_FORBIDS',
    'taken_down publish': 'PRODUCT_TAKEN_DOWN',
    'taken_down unpublish': 'PRODUCT_STATUS_FORBIDS',
    'taken_down take_down': 'taken_down',
    'taken_down restore': 'unlisted',
  };
  it.each(cases)('%s + %s', (status, action) => {
    const want = expected[`${status} ${action}`]!;
    const run = () => decideProductAction({ status, imageCount: 1 }, action);
    if (want === 'PRODUCT_STATUS_FORBIDS' || want === 'PRODUCT_TAKEN_DOWN') expect(run).toThrowError(expect.objectContaining({ code: want }));
    else expect(run()).toBe(want);
  });

  it('a taken-down product says why it cannot be listed again', () => {
    expect(() => decideProductAction({ status: 'taken_down', imageCount: 1, takedownReason: '图片与实物不符' }, 'publish')).toThrowError(/图片与实物不符/);
  });

  it('listing needs at least one image', () => {
    expect(() => decideProductAction({ status: 'draft', imageCount: 0 }, 'publish')).toThrowError(
      expect.objectContaining({ code: 'VALIDATION', fields: { imageIds: '上架前请至少上传一张商品图片' } }),
    );
  });
});

describe('who sees a product', () => {
  const m = 'm-1';
  it.each([
    ['listed', true, null, true],
    ['listed', false, null, false],
    ['unlisted', true, null, false],
    ['draft', true, { organisationId: 'other', isOperator: false }, false],
    ['taken_down', true, { organisationId: 'other', isOperator: false }, false],
    ['taken_down', true, { organisationId: m, isOperator: false }, true],
    ['draft', true, { organisationId: undefined, isOperator: true }, true],
  ] as const)('%s (merchant active %s) to %o: %s', (status, merchantActive, viewer, ok) => {
    expect(canSeeProduct({ status, merchantId: m, merchantActive }, viewer)).toBe(ok);
  });
});

describe('product form', () => {
  const valid = {
    name: '酉阳花田贡米',
    categoryCode: 'grain.rice',
    originCode: '500242209',
    priceFen: 8800,
    unit: '袋',
    stock: 100,
    contactPhone: '023-75551234',
  };
  it('accepts a complete product and numbers typed as text', () => {
    expect(ProductInput.parse({ ...valid, priceFen: '8800', stock: '5' })).toMatchObject({ priceFen: 8800, stock: 5, imageIds: [], description: '' });
  });
  it.each([
    [{ priceFen: 0 }, 'priceFen', '价格必须大于 0'],
    [{ priceFen: 12.5 }, 'priceFen', '价格最多两位小数'],
    [{ stock: -1 }, 'stock', '库存不能为负数'],
    [{ originCode: '5002' }, 'originCode', '请选择到区县（乡镇可选）'],
    [{ unit: '' }, 'unit', '计价单位为 1–6 个字，如 斤、箱、袋'],
    [{ name: '米' }, 'name', '商品名称 2–60 个字'],
    [{ contactPhone: '12345' }, 'contactPhone', '请填写手机号或带区号的固定电话，如 023-76662918'],
    [{ imageIds: Array.from({ length: 7 }, () => crypto.randomUUID()) }, 'imageIds', '最多上传 6 张图片'],
  ])('%o → %s', (over, field, message) => {
    const r = ProductInput.safeParse({ ...valid, ...over });
    expect(r.error?.issues[0]).toMatchObject({ path: [field], message });
  });
  it.each(['13800138000', '023-76662918', '02376662918', '0797-8123456', '400-123-4567'])('contact phone %s', (v) => {
    expect(ContactPhone.safeParse(v).success).toBe(true);
  });
  it('search query: defaults, price range, page size', () => {
    expect(ProductSearchQuery.parse({})).toMatchObject({ sort: 'relevance', page: 1, pageSize: 20 });
    expect(ProductSearchQuery.safeParse({ priceMin: '500', priceMax: '100' }).error?.issues[0]).toMatchObject({
      path: ['priceMax'],
      message: '最高价不能低于最低价',
    });
    expect(ProductSearchQuery.safeParse({ pageSize: 100 }).error?.issues[0]).toMatchObject({ path: ['pageSize'] });
    expect(ProductSearchQuery.safeParse({ origin: '999999' }).error?.issues[0]).toMatchObject({ path: ['origin'], message: '产地无效' });
  });
});
