import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { DEMO_PASSWORD, snap } from './fixtures';

mkdirSync('e2e/artifacts', { recursive: true });
/** The same page at desktop and phone width. */
async function shots(page: Page, name: string) {
  await snap(page, `e2e/artifacts/register-${name}-1280`);
  await page.setViewportSize({ width: 390, height: 844 });
  await snap(page, `e2e/artifacts/register-${name}-390`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

const RICE = '花田贡米 5kg';

test.describe('first-time visitors', () => {
  test('免费注册 asks who registers; each choice leads to its own form', async ({ page }) => {
    await page.goto('/register');
    const choices = page.getByRole('list', { name: '注册类型' }).getByRole('link');
    await expect(choices).toHaveCount(4);
    await expect(choices.nth(0)).toContainText('企业 / 服务机构');
    await expect(choices.nth(2)).toContainText('单位职工（个人）');
    await shots(page, 'chooser');
    await choices.nth(0).click();
    await expect(page).toHaveURL(/\/register\/organisation$/);
    await expect(page.getByLabel('统一社会信用代码')).toBeVisible();
    await page.getByRole('link', { name: '选择其他注册类型' }).click();
    await page.getByRole('link', { name: /单位职工（个人）/ }).click();
    await expect(page).toHaveURL(/\/mall\/register\/individual$/);
    await expect(page.getByLabel('真实姓名')).toBeVisible();
    await expect(page.getByLabel('统一社会信用代码')).toHaveCount(0);
  });

  test('in the mall, 免费注册 opens the individual form with a way back to the mall', async ({ page }) => {
    await page.goto('/mall');
    await page.getByRole('banner').getByRole('link', { name: '免费注册' }).click();
    await expect(page).toHaveURL(/\/mall\/register\/individual\?redirectTo=%2Fmall$/);
    await expect(page.getByRole('heading', { name: '个人注册', level: 1 })).toBeVisible();
    await expect(page.getByLabel('单位全称')).toHaveCount(0);
    await shots(page, 'individual-from-mall');
    await page.getByRole('link', { name: '返回', exact: true }).click();
    await expect(page).toHaveURL(/\/mall$/);
  });

  test('立即购买 before signing in: the login page says why, offers the individual form, and comes back to the checkout', async ({ page }) => {
    // 加入购物车 needs no sign-in (a visitor's cart, e2e/mall-visitor.spec.ts): buying does.
    await page.goto('/mall/search?q=贡米');
    await page
      .getByRole('link', { name: new RegExp(`^${RICE}`) })
      .first()
      .click();
    await expect(page.getByRole('heading', { name: RICE, level: 1 })).toBeVisible();
    const productId = new URL(page.url()).pathname.split('/').pop();
    await page.getByRole('button', { name: '立即购买' }).click();
    await expect(page).toHaveURL(/\/login\?/);
    await expect(page.getByTestId('login-reason')).toHaveText('登录后即可购买');
    const checkout = `/mall/checkout?product=${productId}&qty=1`;
    await expect(page.getByRole('link', { name: '个人注册' })).toHaveAttribute('href', `/mall/register/individual?redirectTo=${encodeURIComponent(checkout)}`);
    await shots(page, 'login-from-buy');
    await page.getByLabel('账号').fill('qinghe');
    await page.getByLabel('密码', { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/mall/checkout\\?product=${productId}`));
  });
});

test.describe('the four registration forms', () => {
  // One account block (用户名, 手机号码, 短信验证码, 密码) on every form: same names, same messages in place.
  const forms = [
    { path: '/register/organisation', name: 'organisation', submit: '注册', password: '密码' },
    { path: '/mall/register/unit', name: 'unit', submit: '注册单位账号', password: '密码' },
    { path: '/mall/register/individual', name: 'individual', submit: '立即注册', password: '登录密码' },
    { path: '/mall/register/merchant', name: 'merchant', submit: '提交入驻', password: '密码' },
  ];
  for (const f of forms) {
    test(`${f.path}: the account fields' messages show in place`, async ({ page }) => {
      await page.goto(f.path);
      await page.getByLabel('手机号码').fill('12345');
      await page.getByRole('button', { name: '获取验证码' }).click();
      await expect(page.getByLabel('手机号码')).toHaveAttribute('aria-invalid', 'true');
      await expect(page.getByLabel('手机号码')).toHaveValue('12345');

      await page.getByLabel('用户名').fill('ab');
      await page.getByLabel(f.password, { exact: true }).fill('abc1');
      // The server's messages (the browser's own check of the other required fields is skipped).
      await page.locator('form[action="?/register"]').evaluate((form: HTMLFormElement) => (form.noValidate = true));
      await page.getByRole('button', { name: f.submit, exact: true }).click();
      await expect(page.getByText('用户名由字母和数字组成，长度 4–20 位')).toBeVisible();
      await expect(page.getByLabel('用户名')).toHaveAttribute('aria-invalid', 'true');
      await expect(page.getByLabel('用户名')).toHaveValue('ab');
      await expect(page.getByText('密码长度 8–32 位')).toBeVisible();
      await shots(page, `${f.name}-errors`);
    });
  }
});
