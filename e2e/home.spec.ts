import { expect, test, type Browser, type Page } from '@playwright/test';
import { api, DEMO_PASSWORD, orgOf, registerEnterprise, shoot } from './fixtures';

/**
 * 首页: a visitor sees the market (demo data) and follows it into the hall; every demo role signs in
 * and lands on its own role home; a new registration is told what to do next.
 */

/** A fresh, signed-out desktop context (phone width for the screenshots comes from `shoot`). */
async function visitor(browser: Browser, width: 390 | 1280 = 1280) {
  const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width, height: width === 390 ? 844 : 800 } });
  return { context, page: await context.newPage() };
}

/** Signs in through the login form (no `next`): lands on the home page. */
async function signIn(page: Page, username: string) {
  await page.goto('/login');
  await page.getByLabel('账号').fill(username);
  await page.getByLabel('密码', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await expect(page.getByTestId('role-home')).toBeVisible();
}

test.describe('首页', () => {
  test('a visitor sees the market with live figures and follows an open requirement into the hall', async ({ browser }) => {
    const { context, page } = await visitor(browser, 390);
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    const main = page.getByRole('main');
    await expect(main.getByRole('link', { name: '免费注册' })).toBeVisible();
    await expect(main.getByRole('link', { name: '登录', exact: true })).toBeVisible();

    // Live figures: numbers, not dashes.
    for (const id of ['figure-published', 'figure-escrow', 'figure-purchases']) await expect(page.getByTestId(id)).not.toContainText('—');
    // Every section of the market has demo data in it.
    const requirements = page.getByTestId('home-requirement');
    await expect(requirements.first()).toBeVisible();
    await expect(requirements.first().getByTestId('opening-countdown')).toBeVisible();
    await expect(page.getByTestId('product-card').first()).toBeVisible();
    await expect(page.getByTestId('home-provider').first()).toBeVisible();
    await expect(page.getByTestId('home-campaign').first()).toBeVisible();
    for (const [name, href] of [
      ['去项目大厅', '/projects'],
      ['去领券', '/vouchers'],
      ['去消费帮扶馆', '/mall'],
      ['去展示大厅', '/showcase'],
    ] as const)
      await expect(main.getByRole('link', { name, exact: true })).toHaveAttribute('href', href);
    await shoot(page, 'home-visitor');

    // The first open requirement opens its page in the hall.
    const title = (await requirements.first().getByRole('heading').innerText()).trim();
    await requirements.first().getByRole('link', { name: title }).click();
    await expect(page).toHaveURL(/\/projects\/[0-9a-f-]{36}$/);
    await expect(page.getByRole('heading', { name: title, level: 1 })).toBeVisible();

    // The hall's own link from the home page.
    await page.goto('/');
    await main.getByRole('link', { name: '去项目大厅', exact: true }).click();
    await expect(page).toHaveURL(/\/projects$/);
    await context.close();
  });

  test('an enterprise lands on its role home: its own projects with the next step, and its wallet', async ({ browser }) => {
    const { context, page } = await visitor(browser);
    await signIn(page, 'qinghe');
    const home = page.getByTestId('role-home');
    await expect(home).toHaveAttribute('data-kind', 'enterprise');
    const org = await orgOf(context);
    await expect(page.getByTestId('role-home-org')).toHaveText(org.fullName);
    await expect(page.getByTestId('home-wallet')).toContainText('¥');
    await expect(home.getByRole('link', { name: /发布需求/ })).toHaveAttribute('href', '/account/projects/new');

    // Exactly its own newest projects (the API's list), never another enterprise's.
    const mine = await api<{ items: { title: string }[]; total: number }>(context, 'GET', '/requirements/mine?pageSize=5');
    const shown = page.getByTestId('home-project');
    await expect(shown).toHaveCount(mine.items.length);
    for (const r of mine.items) await expect(shown.filter({ hasText: r.title }).first()).toBeVisible();
    await expect(home.getByRole('link', { name: `全部项目（${mine.total}）` })).toBeVisible();

    const other = await visitor(browser);
    await signIn(other.page, 'xitu');
    const theirs = await api<{ items: { title: string }[] }>(other.context, 'GET', '/requirements/mine?pageSize=5');
    for (const r of theirs.items.filter((t) => !mine.items.some((m) => m.title === t.title))) await expect(shown.filter({ hasText: r.title })).toHaveCount(0);
    await other.context.close();

    await shoot(page, 'home-enterprise');
    // The market stays below the role home.
    await expect(page.getByRole('heading', { name: '正在招标' })).toBeVisible();
    await context.close();
  });

  test('a provider, a merchant, a unit, a budget unit, a person and an operator each land on their own home', async ({ browser }) => {
    // 服务机构: its invitations and its live bids (only its own).
    {
      const { context, page } = await visitor(browser);
      await signIn(page, 'chengxin');
      await expect(page.getByTestId('role-home')).toHaveAttribute('data-kind', 'provider');
      await expect(page.getByTestId('role-home-org')).toHaveText((await orgOf(context)).fullName);
      const bids = await api<{ items: { status: string; requirement: { title: string; state: string } }[] }>(context, 'GET', '/proposals/mine?pageSize=10');
      const live = bids.items.filter((b) => b.status === 'active' && b.requirement.state === 'open');
      await expect(page.getByTestId('tile-bids')).toContainText(String(live.length));
      await expect(page.getByTestId('home-bid')).toHaveCount(Math.min(5, live.length));
      const invitations = await api<{ items: { requirement: { title: string } }[] }>(context, 'GET', '/invitations/mine?pageSize=5');
      await expect(page.getByTestId('home-invitation')).toHaveCount(invitations.items.length);
      await expect(page.getByRole('link', { name: '完善店铺' })).toHaveAttribute('href', '/account/storefront');
      await shoot(page, 'home-provider');
      await context.close();
    }
    // 商家: orders waiting to be shipped, counted as its own order console counts them.
    {
      const { context, page } = await visitor(browser);
      await signIn(page, 'fuxi');
      await expect(page.getByTestId('role-home')).toHaveAttribute('data-kind', 'merchant');
      const org = await orgOf(context);
      await expect(page.getByTestId('role-home-org')).toHaveText(org.fullName);
      const toShip = await api<{ total: number; items: { merchantId: string }[] }>(context, 'GET', '/merchant/orders?status=paid&pageSize=5');
      await expect(page.getByTestId('tile-to-ship')).toContainText(String(toShip.total));
      await expect(page.getByTestId('home-merchant-order')).toHaveCount(toShip.items.length);
      expect(toShip.items.every((o) => o.merchantId === org.organisationId)).toBe(true);
      await shoot(page, 'home-merchant');
      await context.close();
    }
    // 单位: its purchase orders and (its admin) the year's statistics.
    {
      const { context, page } = await visitor(browser);
      await signIn(page, 'cqcfzy');
      await expect(page.getByTestId('role-home')).toHaveAttribute('data-kind', 'unit');
      await expect(page.getByTestId('role-home-org')).toHaveText((await orgOf(context)).fullName);
      await expect(page.getByTestId('tile-unit-total')).toContainText('¥');
      const orders = await api<{ total: number }>(context, 'GET', '/orders?pageSize=5');
      await expect(page.getByRole('link', { name: `全部订单（${orders.total}）` })).toBeVisible();
      await shoot(page, 'home-unit');
      await context.close();
    }
    // 预算单位: its reserved share and how far it is.
    {
      const { context, page } = await visitor(browser);
      await signIn(page, 'qjjwh');
      await expect(page.getByTestId('role-home')).toHaveAttribute('data-kind', 'budget_unit');
      await expect(page.getByTestId('role-home-org')).toHaveText((await orgOf(context)).fullName);
      await expect(page.getByTestId('tile-quota-reserved')).toContainText('¥');
      await expect(page.getByTestId('tile-quota-rate')).toBeVisible();
      await shoot(page, 'home-budget-unit');
      await context.close();
    }
    // 个人: its own orders and where to shop.
    {
      const { context, page } = await visitor(browser);
      await signIn(page, 'liuyang');
      const kind = await page.getByTestId('role-home').getAttribute('data-kind');
      expect(['person', 'unit']).toContain(kind);
      const orders = await api<{ total: number }>(context, 'GET', '/orders?pageSize=5');
      await expect(page.getByRole('link', { name: `全部订单（${orders.total}）` })).toBeVisible();
      await context.close();
    }
    // 运营: what waits in each queue, as the console home counts it.
    {
      const { context, page } = await visitor(browser);
      await signIn(page, 'operator');
      await expect(page.getByTestId('role-home')).toHaveAttribute('data-kind', 'platform');
      const pending = await api<{ total: number }>(context, 'GET', '/admin/requirements?state=pending_review&pageSize=1');
      await expect(page.getByTestId('queue-requirements')).toContainText(String(pending.total));
      await page.getByTestId('queue-requirements').click();
      await expect(page).toHaveURL(/\/admin\/requirements$/);
      await page.goto('/');
      await shoot(page, 'home-operator');
      await context.close();
    }
  });

  test('a new enterprise is told what to do next after registering', async ({ browser }) => {
    const { context, page } = await visitor(browser);
    await registerEnterprise(page, `赣州市首页测试${Date.now().toString(36)}科技有限公司`);
    const steps = page.getByTestId('welcome-step');
    await expect(steps).toHaveCount(2);
    await expect(page.getByRole('link', { name: /^发布需求/ })).toHaveAttribute('href', '/account/projects/new');
    await expect(page.getByRole('link', { name: /^充值/ })).toHaveAttribute('href', '/wallet/recharge');
    await shoot(page, 'home-welcome');
    await page.getByRole('link', { name: /^充值/ }).click();
    await expect(page).toHaveURL(/\/wallet\/recharge/);

    // Its home has no projects yet and says how to start.
    await page.goto('/');
    await expect(page.getByTestId('role-home')).toHaveAttribute('data-kind', 'enterprise');
    await expect(page.getByTestId('home-project')).toHaveCount(0);
    await expect(page.getByText('还没有项目')).toBeVisible();
    await context.close();
  });
});
