import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { api, shoot, signedIn } from './fixtures';

/**
 * Government vouchers at the mall's checkout (消费帮扶馆): the demo campaign's merchant list includes
 * the mall merchant 花田; its first issuance is brought forward to start in a few seconds (the bureau
 * edits a scheduled issuance, as the console's 修改 does). A resident grabs the two 通用券 tiers, buys
 * 花田's rice through the cart, sees the better coupon applied at checkout (one per order) with the
 * amount to pay, pays on the WeChat-like sandbox page and finds the coupon 已使用 in 我的票券; the
 * bureau's console counts the redemption live, under the mall merchant.
 */
test.describe.configure({ mode: 'serial' });

const RICE = { name: '花田贡米 5kg', priceFen: 8_800 };
const HUATIAN = '酉阳县花田乡贡米专业合作社';
const yuan = (fen: number) => `¥${(fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

let campaignId = '';
let campaignName = '';
let bureau: BrowserContext;

interface Issuance {
  id: string;
  status: string;
  startsAt: string;
  tiers: { categoryCode: string; tierNo: number; thresholdFen: number; discountFen: number; count: number }[];
}

async function chooseRegion(page: Page, names: [string, string, string, string]) {
  await page.getByRole('combobox', { name: '省 / 自治区 / 直辖市' }).selectOption({ label: names[0] });
  await page.getByRole('combobox', { name: '市', exact: true }).selectOption({ label: names[1] });
  await page.getByRole('combobox', { name: '区 / 县' }).selectOption({ label: names[2] });
  await page.getByRole('combobox', { name: '乡镇 / 街道' }).selectOption({ label: names[3] });
}

test('the demo campaign lists the mall merchant 花田; its first issuance starts in a few seconds', async ({ browser }) => {
  const s = await signedIn(browser, 'qijiang', 1280);
  bureau = s.context;
  const mine = await api<{ items: { id: string; name: string }[] }>(bureau, 'GET', '/vouchers/campaigns');
  const demo = mine.items.find((c) => c.name.includes('火锅消费周'));
  expect(demo, 'the demo campaign').toBeTruthy();
  campaignId = demo!.id;
  campaignName = demo!.name;
  const merchants = await api<{ items: { name: string }[] }>(
    bureau,
    'GET',
    `/vouchers/campaigns/${campaignId}/merchants?keyword=${encodeURIComponent('花田')}`,
  );
  expect(merchants.items.map((m) => m.name)).toContain(HUATIAN);

  const detail = await api<{ issuanceList: Issuance[] }>(bureau, 'GET', `/vouchers/campaigns/${campaignId}`);
  const first = detail.issuanceList[0]!;
  // Still scheduled (a fresh demo): moved to a few seconds from now with its rows unchanged.
  if (first.status === 'scheduled') {
    await api(bureau, 'PUT', `/vouchers/issuances/${first.id}`, {
      startsAt: new Date(Date.now() + 8_000).toISOString(),
      rows: first.tiers.map(({ categoryCode, tierNo, thresholdFen, discountFen, count }) => ({ categoryCode, tierNo, thresholdFen, discountFen, count })),
    });
  }
});

test('a resident grabs coupons, buys 花田 rice with the best coupon applied, pays, and the bureau sees the redemption', async ({ browser }) => {
  test.setTimeout(150_000);
  const { context, page } = await signedIn(browser, 'chenjing', 390);

  // The two 通用券 tiers of the started issuance (餐饮券 do not apply at a 超市).
  await page.goto(`/vouchers/${campaignId}`);
  for (const tier of ['通用券 · 一档', '通用券 · 二档']) {
    // The first issuance's card (the one day later is listed after it).
    const card = page.getByRole('listitem').filter({ hasText: tier }).first();
    const button = card.getByRole('button', { name: '立即领取' });
    await expect(button).toBeEnabled({ timeout: 25_000 });
    await button.click();
    await expect(card.getByText('已领取')).toBeVisible();
  }

  // The bureau's console is open while the resident buys: the redemption arrives live.
  const desk = await bureau.newPage();
  await desk.goto(`/gov/vouchers/${campaignId}`);
  await expect(desk.getByTestId('live-state')).toHaveText('● 实时');
  const count = desk.getByRole('list', { name: '核销汇总' }).getByRole('listitem').filter({ hasText: '核销笔数' });
  await expect(count).toBeVisible();
  const before = Number((await count.innerText()).replace(/\D/g, ''));

  // Two bags of 花田's rice into the cart (¥176: both coupons apply, 满150减50 is the better one).
  await page.goto('/mall');
  await page.getByRole('searchbox', { name: '搜索商品' }).fill('贡米');
  await page.getByRole('button', { name: '搜索', exact: true }).click();
  await page
    .getByRole('link', { name: new RegExp(`^${RICE.name}`) })
    .first()
    .click();
  await expect(page.getByRole('heading', { name: RICE.name, level: 1 })).toBeVisible();
  await page.getByRole('button', { name: '增加购买数量' }).click();
  await expect(page.getByRole('spinbutton', { name: '购买数量' })).toHaveValue('2');
  await page.getByRole('button', { name: '加入购物车' }).click();
  await expect(page.getByText('已加入购物车')).toBeVisible();
  await page.goto('/mall/cart');
  await expect(page.getByTestId('cart-total')).toHaveText(yuan(2 * RICE.priceFen));
  await page.getByRole('link', { name: /^去结算/ }).click();

  // Checkout: a delivery address, then the best coupon (one per order), the discount and what is left to pay.
  await expect(page.getByRole('heading', { name: '确认订单', level: 1 })).toBeVisible();
  if (await page.getByLabel('详细地址').isVisible()) {
    await chooseRegion(page, ['重庆市', '市辖区', '綦江区', '古南街道']);
    await page.getByLabel('详细地址').fill('文龙街 18 号 3 单元 502');
    await page.getByRole('button', { name: '保存并使用' }).click();
  }
  await expect(page.getByRole('radio', { name: /陈静/ }).first()).toBeChecked();
  const coupon = page.getByTestId('checkout-coupon');
  await expect(coupon).toHaveCount(1);
  await expect(coupon).toContainText('通用券 满150减50');
  await expect(coupon).toContainText(campaignName.slice(0, 8));
  await expect(coupon).toContainText('−¥50.00');
  await expect(page.getByRole('checkbox', { name: /使用政府消费券/ })).toBeChecked();
  await expect(page.getByTestId('checkout-total')).toHaveText(yuan(2 * RICE.priceFen - 5_000));
  await shoot(page, 'vouchers-mall-checkout');
  await page.getByRole('button', { name: '提交订单' }).click();

  // The pay page: the payable after the coupon; the WeChat-like sandbox page.
  await expect(page).toHaveURL(/\/mall\/pay\?orders=[0-9a-f-]{36}&placed=1/);
  const orderId = new URL(page.url()).searchParams.get('orders')!;
  await expect(page.getByTestId('pay-amount')).toHaveText('¥126.00');
  await expect(page.getByTestId('pay-coupon')).toContainText('−¥50.00');
  await shoot(page, 'vouchers-mall-pay');
  await page.getByRole('button', { name: '立即支付 ¥126.00' }).click();
  await expect(page).toHaveURL(/\/api\/v1\/sandbox\/bank/);
  await expect(page.getByText('¥126.00').first()).toBeVisible();
  await shoot(page, 'vouchers-mall-sandbox', [390]);
  await page.getByRole('button', { name: '确认付款' }).click();
  await expect(page).toHaveURL(/\/mall\/pay\/result\?payment=/);
  await expect(page.getByTestId('pay-result')).toHaveAttribute('data-status', 'paid', { timeout: 30_000 });
  await shoot(page, 'vouchers-mall-pay-result');

  // The order: its total, the coupon and what was paid.
  await page.goto(`/mall/orders/${orderId}`);
  await expect(page.getByRole('heading', { name: '等待商家发货', level: 1 })).toBeVisible();
  await expect(page.getByTestId('order-coupon')).toContainText('满150减50');
  await expect(page.getByTestId('order-coupon')).toContainText('−¥50.00');
  await expect(page.getByText('使用政府消费券').first()).toBeVisible();
  await shoot(page, 'vouchers-mall-order');

  // 我的票券: the coupon is used; the other one is still unused.
  await page.goto('/vouchers/mine');
  await page.getByRole('tab', { name: /已使用/ }).click();
  const used = page.getByRole('listitem').filter({ hasText: campaignName.slice(0, 8) });
  await expect(used).toHaveCount(1);
  await expect(used).toContainText('满150减50');
  await expect(used).toContainText('已使用');
  await shoot(page, 'vouchers-mall-mine-used', [390]);

  // The bureau's console counted it without a reload, under the mall merchant.
  await expect(count).toContainText(String(before + 1), { timeout: 10_000 });
  await desk.reload();
  await expect(desk.getByRole('row').filter({ hasText: HUATIAN })).toContainText('¥50.00');
  await shoot(desk, 'vouchers-mall-bureau', [1280]);
  await desk.close();
  await context.close();
});

test('a coupon that expires before payment: the pay page says so and offers the full price', async ({ browser }) => {
  test.setTimeout(90_000);
  const { context, page } = await signedIn(browser, 'chenjing', 390);
  const { validUntil } = await api<{ validUntil: string }>(bureau, 'GET', `/vouchers/campaigns/${campaignId}`);

  // Two more bags: the remaining 满100减30 applies.
  await page.goto('/mall/search?q=' + encodeURIComponent('贡米'));
  await page
    .getByRole('link', { name: new RegExp(`^${RICE.name}`) })
    .first()
    .click();
  await page.getByRole('button', { name: '增加购买数量' }).click();
  await page.getByRole('button', { name: '加入购物车' }).click();
  await expect(page.getByText('已加入购物车')).toBeVisible();
  await page.goto('/mall/checkout');
  await expect(page.getByTestId('checkout-coupon')).toContainText('满100减30');
  await page.getByRole('button', { name: '提交订单' }).click();
  await expect(page.getByTestId('pay-amount')).toHaveText('¥146.00');

  // The campaign ends before the resident pays (development time hook), then is put back.
  try {
    const moved = await bureau.request.post('/dev/time-travel', { data: { campaignId, endsInSeconds: -60 } });
    expect(moved.status(), await moved.text()).toBe(200);
    await page.reload();
    await expect(page.getByTestId('coupon-expired')).toContainText('使用的消费券已过期');
    await expect(page.getByRole('button', { name: /^立即支付/ })).toHaveCount(0);
    await shoot(page, 'vouchers-mall-pay-expired');
    await page.getByRole('button', { name: '不使用消费券，按原价 ¥176.00 付款' }).click();
    await expect(page.getByText(/已不使用消费券，请按原价付款/)).toBeVisible();
    await expect(page.getByTestId('pay-amount')).toHaveText('¥176.00');
    await expect(page.getByRole('button', { name: '立即支付 ¥176.00' })).toBeVisible();
  } finally {
    const back = Math.round((new Date(validUntil).getTime() - Date.now()) / 1000);
    await bureau.request.post('/dev/time-travel', { data: { campaignId, endsInSeconds: back } });
  }
  await context.close();
  await bureau.close();
});
