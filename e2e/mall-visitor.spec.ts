import { expect, test } from '@playwright/test';
import { api, DEMO_PASSWORD, phone, shoot, signedIn } from './fixtures';

/** A product of the demo (酉阳县花田乡贡米专业合作社). */
const PEPPER = '酉阳青花椒 250g';
const yuan = (fen: number) => `¥${(fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const fenOf = (text: string) => Math.round(Number(text.replace(/[^\d.]/g, '')) * 100);

test('a visitor fills a cart on a phone without signing in, is asked to sign in at checkout, and the cart joins theirs', async ({ browser }) => {
  test.setTimeout(120_000);
  const { context, page } = await phone(browser);
  await page.goto(`/mall/search?q=${encodeURIComponent('青花椒')}`);
  await page
    .getByRole('link', { name: new RegExp(`^${PEPPER}`) })
    .first()
    .click();
  await expect(page.getByRole('heading', { name: PEPPER, level: 1 })).toBeVisible();
  const productId = new URL(page.url()).pathname.split('/').pop()!;
  const priceFen = fenOf((await page.getByTestId('product-price').textContent()) ?? '');

  // The buyer had put one in their cart on another device earlier.
  const earlier = await signedIn(browser, 'liuyang', 390);
  await api(earlier.context, 'POST', '/cart/items', { productId, quantity: 1 });
  await earlier.context.close();

  // 加入购物车 without signing in: two, kept for the visitor.
  await page.getByRole('button', { name: '增加购买数量' }).click();
  await expect(page.getByRole('spinbutton', { name: '购买数量' })).toHaveValue('2');
  await page.getByRole('button', { name: '加入购物车' }).click();
  await expect(page.getByText('已加入购物车')).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/mall/products/${productId}$`));
  const cookie = (await context.cookies()).find((c) => c.name === 'bangfu_mall_cart');
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/mall' });

  await page.goto('/mall/cart');
  await expect(page.getByRole('heading', { name: /^购物车/, level: 1 })).toBeVisible();
  await expect(page.getByTestId('visitor-cart-note')).toContainText('您还未登录');
  await expect(page.getByTestId('cart-line')).toContainText(PEPPER);
  await expect(page.getByTestId('cart-total')).toHaveText(yuan(2 * priceFen));
  await shoot(page, 'mall-visitor-cart');

  // Checkout asks to sign in, then comes back to the checkout with the carts merged: 1 + 2.
  await page.getByRole('link', { name: '登录并结算（2）' }).click();
  await expect(page).toHaveURL(/\/login\?redirectTo=%2Fmall%2Fcheckout/);
  await expect(page.getByTestId('login-reason')).toHaveText('登录后即可购买');
  await shoot(page, 'mall-visitor-login');
  await page.getByLabel('账号').fill('liuyang');
  await page.getByLabel('密码', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page).toHaveURL(/\/mall\/checkout$/);
  await expect(page.getByRole('heading', { name: '确认订单', level: 1 })).toBeVisible();
  await expect(page.getByTestId('cart-merged')).toContainText('已把您登录前加入的 1 种商品放进购物车');
  await expect(page.getByTestId('checkout-total')).toHaveText(yuan(3 * priceFen));
  await expect(page.getByRole('radio', { name: /刘洋/ })).toBeChecked();
  expect((await context.cookies()).some((c) => c.name === 'bangfu_mall_cart')).toBe(false);
  await shoot(page, 'mall-visitor-checkout');

  // The cart shows the merged line once; reloading merges nothing more.
  await page.goto('/mall/cart');
  await expect(page.getByTestId('cart-line').filter({ hasText: PEPPER })).toHaveCount(1);
  await expect(page.getByTestId('cart-total')).toHaveText(yuan(3 * priceFen));
  await expect(page.getByTestId('visitor-cart-note')).toHaveCount(0);
  await page.getByRole('link', { name: '去结算（3）' }).click();
  await expect(page.getByTestId('checkout-total')).toHaveText(yuan(3 * priceFen));
  await page.getByRole('button', { name: '提交订单' }).click();
  await expect(page).toHaveURL(/\/mall\/pay\?orders=[0-9a-f-]{36}&placed=1/);
  await expect(page.getByTestId('pay-amount')).toHaveText(yuan(3 * priceFen));

  // A replayed visitor cookie (another tab still holding it) finds nothing to merge.
  await context.addCookies([cookie!]);
  await page.goto('/mall/cart');
  await expect(page.getByText('购物车还是空的')).toBeVisible();
  await context.close();
});
