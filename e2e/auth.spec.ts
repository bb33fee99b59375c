import { expect, test } from '@playwright/test';
import { loginAs, logout, newMobile, newUscc, newUsername, readCode } from './fixtures';

test.describe('accounts', () => {
  test('register → code from the outbox → login → change password → logout → forgot password → login with the new one', async ({ page }) => {
    const username = newUsername('qy');
    const mobile = newMobile();
    const password = 'Start2026ab';
    const changed = 'Changed2026cd';
    const reset = 'Reset2026ef';

    await page.goto('/register/organisation');
    await page.getByText('企业会员').click();
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('手机号').fill(mobile);
    await page.getByRole('button', { name: '获取验证码' }).click();
    await expect(page.getByText(/验证码已发送/)).toBeVisible();
    await page.getByLabel('短信验证码').fill(await readCode(page, mobile));
    await page.getByLabel('密码', { exact: true }).fill(password);
    await page.getByLabel('确认密码').fill(password);
    await page.getByLabel('单位全称').fill('赣州市测试农产品有限公司');
    await page.getByLabel('统一社会信用代码').fill(newUscc());
    await page.getByRole('checkbox', { name: /我已阅读并同意/ }).check();
    await page.getByRole('button', { name: '注册', exact: true }).click();
    await expect(page).toHaveURL(/\/account\?welcome=1/);
    await expect(page.getByText(username).first()).toBeVisible();

    await logout(page);
    await loginAs(page, mobile, password);

    await page.goto('/account/security');
    await page.getByLabel('当前密码').fill(password);
    await page.getByLabel('新密码', { exact: true }).fill(changed);
    await page.getByLabel('确认新密码').fill(changed);
    await page.getByRole('button', { name: '修改密码' }).click();
    await expect(page.getByText('密码已修改，其他设备上的登录已退出')).toBeVisible();
    await logout(page);

    await page.goto('/forgot-password');
    await page.getByRole('radio', { name: '手机号找回' }).check();
    await page.getByRole('textbox', { name: '手机号' }).fill(mobile);
    await page.getByRole('button', { name: '获取验证码' }).click();
    await page.getByLabel('验证码', { exact: true }).fill(await readCode(page, mobile));
    await page.getByLabel('新密码', { exact: true }).fill(reset);
    await page.getByLabel('确认新密码').fill(reset);
    await page.getByRole('button', { name: '重置密码' }).click();
    await expect(page.getByText('密码已重置，请使用新密码登录')).toBeVisible();

    await page.goto('/login');
    await page.getByLabel('账号').fill(username);
    await page.getByLabel('密码', { exact: true }).fill(changed);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await expect(page.getByText('账号或密码错误（密码区分大小写）')).toBeVisible();
    await loginAs(page, username, reset);
    await expect(page.getByRole('banner')).toContainText(username);
  });

  test('a provider registers too', async ({ page }) => {
    const mobile = newMobile();
    await page.goto('/register/organisation');
    await page.getByText('服务机构').click();
    await page.getByLabel('用户名').fill(newUsername('fw'));
    await page.getByLabel('手机号').fill(mobile);
    await page.getByRole('button', { name: '获取验证码' }).click();
    await page.getByLabel('短信验证码').fill(await readCode(page, mobile));
    await page.getByLabel('密码', { exact: true }).fill('Provider2026');
    await page.getByLabel('确认密码').fill('Provider2026');
    await page.getByLabel('单位全称').fill('赣州市测试知识产权代理有限公司');
    await page.getByLabel('统一社会信用代码').fill(newUscc());
    await page.getByRole('checkbox', { name: /我已阅读并同意/ }).check();
    await page.getByRole('button', { name: '注册', exact: true }).click();
    await expect(page).toHaveURL(/\/account\?welcome=1/);
    await page.goto('/account/organisations');
    await expect(page.getByText('服务机构').first()).toBeVisible();
  });

  test('SMS sign-in before the page is live (no JavaScript yet): the destination in the link survives 获取验证码', async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto('/login?mode=sms&next=%2Fwallet');
    await page.getByLabel('手机号').fill('13900000012'); // the demo enterprise xitu
    await page.getByRole('button', { name: '获取验证码' }).click(); // a plain post to ?/code, which drops the query
    await expect(page.getByText(/验证码已发送至/)).toBeVisible();
    await page.getByLabel('短信验证码').fill(await readCode(page, '13900000012'));
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await expect(page).toHaveURL(/\/wallet$/);
    await context.close();
  });

  test('refusals show the right messages', async ({ page }) => {
    await page.goto('/login');
    await page.getByLabel('账号').fill('operator');
    await page.getByLabel('密码', { exact: true }).fill('Wrong2026');
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await expect(page.getByText('账号或密码错误（密码区分大小写）')).toBeVisible();

    await page.goto('/register/organisation');
    await page.getByLabel('手机号').fill('13900000001'); // the demo operator's mobile
    await page.getByRole('button', { name: '获取验证码' }).click();
    await expect(page.getByText('该手机号已注册，请直接登录或找回密码')).toBeVisible();

    await page.goto('/register/organisation');
    await page.getByLabel('用户名').fill(newUsername('bad'));
    const mobile = newMobile();
    await page.getByLabel('手机号').fill(mobile);
    await page.getByLabel('短信验证码').fill('123456');
    await page.getByLabel('密码', { exact: true }).fill('Passw0rd99');
    await page.getByLabel('确认密码').fill('Passw0rd99');
    await page.getByLabel('单位全称').fill('某某有限公司');
    await page.getByLabel('统一社会信用代码').fill('91110000802100433C');
    await page.getByRole('button', { name: '注册', exact: true }).click();
    await expect(page.getByText('统一社会信用代码校验位不正确，请核对')).toBeVisible();
    // The field keeps what was typed and is marked invalid for assistive technology.
    await expect(page.getByLabel('统一社会信用代码')).toHaveAttribute('aria-invalid', 'true');
  });
});
