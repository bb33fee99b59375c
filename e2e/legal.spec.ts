import { expect, test } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { DEMO_PASSWORD, fillEnterpriseRegistration, loginAs, shoot } from './fixtures';

mkdirSync('e2e/artifacts', { recursive: true });

test.describe('用户协议 and 隐私政策', () => {
  test('an operator publishes a new 用户协议 and the footer settings; a visitor must agree to register, and the version is recorded', async ({ browser }) => {
    // ── The operator publishes version N of 用户协议 and sets 客服 and 备案 ──
    const ops = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const op = await ops.newPage();
    await loginAs(op, 'operator');
    await op.goto('/admin/legal');
    const terms = op
      .locator('section')
      .filter({ has: op.getByRole('heading', { name: '用户协议', exact: true }) })
      .last();
    const publishButton = terms.getByRole('button', { name: /^发布第 \d+ 版$/ });
    const version = Number((await publishButton.innerText()).match(/\d+/)![0]);
    const stamp = `E2E 条款 ${Date.now()}`;
    await terms.getByLabel('正文').fill(`${stamp}：本协议约定平台与用户之间的权利义务。\n\n第二段：交易遵守平台规则，资金由平台托管。`);
    await publishButton.click();
    await expect(terms.getByText(`已发布第 ${version} 版。`)).toBeVisible();
    await shoot(op, 'legal-admin');

    await op.goto('/admin/settings');
    const footer = op
      .locator('section')
      .filter({ has: op.getByRole('heading', { name: '客服与备案（页脚）' }) })
      .last();
    await footer.getByLabel('客服电话').fill('400-800-1234');
    await footer.getByLabel('客服邮箱').fill('kefu@example.cn');
    await footer.getByLabel('服务时间').fill('工作日 9:00–18:00');
    await footer.getByLabel('ICP 备案号').fill('京ICP备00000000号-1');
    await footer.getByRole('button', { name: '保存' }).click();
    await expect(footer.getByText('已保存。')).toBeVisible();
    await ops.close();

    // ── A visitor reads it and registers ──
    const visitor = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await visitor.newPage();
    await page.goto('/legal/terms');
    await expect(page.getByTestId('legal-version')).toContainText(`第 ${version} 版`);
    await expect(page.getByText(stamp)).toBeVisible();
    const pageFooter = page.getByRole('contentinfo').last();
    await expect(pageFooter.getByTestId('footer-service')).toContainText('热线 400-800-1234');
    await expect(pageFooter.getByRole('link', { name: '京ICP备00000000号-1' })).toHaveAttribute('href', 'https://beian.miit.gov.cn/');
    await expect(pageFooter.getByRole('navigation', { name: '开发者' }).getByRole('link', { name: 'API 文档' })).toBeVisible();
    await shoot(page, 'legal-terms');
    await page.goto('/legal/terms?version=1');
    await expect(page.getByTestId('legal-version')).toContainText('第 1 版');
    await expect(page.getByText('这是历史版本。')).toBeVisible();

    await fillEnterpriseRegistration(page, '赣州市协议测试有限公司', { agree: false });
    await expect(page.getByRole('link', { name: '《用户协议》' })).toHaveAttribute('target', '_blank');
    await page.getByRole('button', { name: '注册', exact: true }).click();
    await expect(page.getByText('请阅读并同意用户协议和隐私政策')).toBeVisible();
    await expect(page).toHaveURL(/\/register\/organisation/);
    await shoot(page, 'legal-register-refused');
    await page.getByLabel('密码', { exact: true }).fill(DEMO_PASSWORD);
    await page.getByLabel('确认密码').fill(DEMO_PASSWORD);
    await page.getByRole('checkbox', { name: /我已阅读并同意/ }).check();
    await page.getByRole('button', { name: '注册', exact: true }).click();
    await expect(page).toHaveURL(/\/account\?welcome=1/);

    await page.goto('/account/security');
    await expect(page.getByTestId('agreed-versions')).toContainText(`已同意《用户协议》第 ${version} 版`);
    await shoot(page, 'legal-agreed');
    await visitor.close();
  });
});
