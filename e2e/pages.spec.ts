import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { loginAs, snap } from './fixtures';

mkdirSync('e2e/artifacts', { recursive: true });

const pages: { path: string; as?: 'operator' | 'qinghe'; name: string }[] = [
  { path: '/', name: 'home' },
  { path: '/register', name: 'register' },
  { path: '/register/organisation', name: 'register-organisation' },
  { path: '/login', name: 'login' },
  { path: '/forgot-password', name: 'forgot-password' },
  { path: '/showcase', name: 'showcase' },
  { path: '/projects', name: 'projects' },
  { path: '/mall', name: 'mall' },
  { path: '/about', name: 'about' },
  { path: '/dev/outbox', name: 'dev-outbox' },
  { path: '/account', as: 'qinghe', name: 'account' },
  { path: '/account/security', as: 'qinghe', name: 'account-security' },
  { path: '/account/organisations', as: 'qinghe', name: 'account-organisations' },
  { path: '/messages', as: 'qinghe', name: 'messages' },
  { path: '/wallet', as: 'qinghe', name: 'wallet' },
  { path: '/wallet/recharge', as: 'qinghe', name: 'wallet-recharge' },
  { path: '/wallet/recharge?tab=offline', as: 'qinghe', name: 'wallet-recharge-offline' },
  { path: '/wallet/cards', as: 'qinghe', name: 'wallet-cards' },
  { path: '/wallet/security-password', as: 'qinghe', name: 'wallet-security-password' },
  { path: '/wallet/withdraw', as: 'qinghe', name: 'wallet-withdraw' },
  { path: '/admin/users', as: 'operator', name: 'admin-users' },
  { path: '/admin/organisations', as: 'operator', name: 'admin-organisations' },
  { path: '/admin/recharges', as: 'operator', name: 'admin-recharges' },
  { path: '/admin/withdrawals', as: 'operator', name: 'admin-withdrawals' },
  { path: '/admin/ledger', as: 'operator', name: 'admin-ledger' },
];

async function check(page: Page, name: string, width: number) {
  await expect(page.locator('h1').first()).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${name} scrolls sideways at ${width}px`).toBeLessThanOrEqual(1);
  await snap(page, `e2e/artifacts/${name}-${width}`);
}

for (const width of [390, 1280]) {
  test(`every page at ${width}px: a heading, no sideways scroll, no console errors (screenshots in e2e/artifacts)`, async ({ page }) => {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    let who: string | undefined;
    for (const p of pages) {
      if (p.as !== who) {
        await page.context().clearCookies();
        if (p.as) await loginAs(page, p.as);
        who = p.as;
      }
      await page.goto(p.path);
      await check(page, p.name, width);
    }
    expect(errors).toEqual([]);
  });
}

test('a non-operator is refused the console', async ({ page }) => {
  await loginAs(page, 'qinghe');
  const res = await page.goto('/admin/users');
  expect(res?.status()).toBe(403);
  await expect(page.getByText('无权访问')).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
});

test('the site speaks Simplified Chinese and offers no language switch', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('button', { name: 'English' })).toHaveCount(0);
  await page.goto('/login');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('button', { name: '登录' })).toBeVisible();
});

test('a new site message appears live in the header, without reloading', async ({ page, request }) => {
  await loginAs(page, 'xitu');
  await page.goto('/account');
  await expect(page.locator('header[data-live="true"]')).toBeVisible(); // live updates connected
  const token = async (identifier: string) =>
    ((await (await request.post('/api/v1/auth/login', { data: { identifier, password: 'Bangfu2026' } })).json()) as { token: string }).token;
  const [user, operator] = [await token('xitu'), await token('operator')];
  await request.post('/api/v1/messages/read-all', { headers: { authorization: `Bearer ${user}` } });
  await expect(page.getByTestId('unread-badge')).toHaveCount(0);
  // The user declares an offline transfer; the operator rejects it: the platform sends a site message.
  const order = (await (
    await request.post('/api/v1/wallet/recharges/offline', {
      headers: { authorization: `Bearer ${user}` },
      data: { amountFen: 100_000, transferredAt: new Date().toISOString(), payerName: '江西赣南稀土新材料科技有限公司', payerAccount: '36050181000900000123' },
    })
  ).json()) as { orderNo: string };
  const review = await request.post(`/api/v1/admin/recharges/${order.orderNo}/review`, {
    headers: { authorization: `Bearer ${operator}` },
    data: { decision: 'reject', reason: '未查询到该笔来账' },
  });
  expect(review.status()).toBe(200);
  await expect(page.getByTestId('unread-badge')).toHaveText('1');
  await expect(page.getByText('线下充值未通过').first()).toBeVisible();
});
