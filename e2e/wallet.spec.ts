import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
// A provider's wallet (zhixing): the demo funds the enterprises' wallets, and these journeys assert exact balances from zero.
import { mkdirSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { loginAs, phone, readMicroDeposit, shoot, snap } from './fixtures';

mkdirSync('e2e/artifacts', { recursive: true });
const shot = (page: Page, name: string) => snap(page, `e2e/artifacts/wallet-${name}`);

/** A second person in their own browser context (the operator beside the enterprise). */
async function asOperator<T>(browser: Browser, run: (page: Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    await loginAs(page, 'operator');
    return await run(page);
  } finally {
    await context.close();
  }
}

/** A phone: 390 px wide, touch (the people who pay by 微信支付 come from WeChat). */
async function onPhone<T>(browser: Browser, run: (page: Page, context: BrowserContext) => Promise<T>): Promise<T> {
  const { context, page } = await phone(browser);
  try {
    return await run(page, context);
  } finally {
    await context.close();
  }
}
const yuanOf = (text: string) => Math.round(Number(text.replace(/[¥,\s]/g, '')) * 100);

test.describe.configure({ mode: 'serial' });

test.describe('wallet', () => {
  test('online recharge through the sandbox bank: the result page turns to 充值成功 and the statement shows it', async ({ page }) => {
    await loginAs(page, 'zhixing');
    await page.goto('/wallet');
    await expect(page.getByRole('heading', { name: '我的钱包' })).toBeVisible();
    await page.getByRole('link', { name: '充值' }).first().click();
    // The phone methods come first; 网银 shows the banks.
    await expect(page.getByRole('radio', { name: /微信支付/ })).toBeChecked();
    await page.getByText('网银', { exact: true }).click();
    await expect(page.getByText('目前仅支持储蓄卡、企业网银的线上支付')).toBeVisible();
    await page.getByText('其他金额', { exact: true }).click();
    await page.getByLabel('充值金额（元）').fill('1234.56');
    await page.getByText('中国工商银行', { exact: true }).click();
    await shot(page, 'recharge-online');
    await page.getByRole('button', { name: '确定，去付款' }).click();

    await expect(page).toHaveURL(/\/api\/v1\/sandbox\/bank/);
    await expect(page.getByText('¥1,234.56')).toBeVisible();
    await page.getByRole('button', { name: '确认付款' }).click();

    await expect(page).toHaveURL(/\/wallet\/recharge\/result\?orderNo=R/);
    const result = page.getByTestId('recharge-result');
    await expect(result).toHaveAttribute('data-status', 'paid', { timeout: 30_000 });
    await expect(result.getByText('充值成功')).toBeVisible();
    await shot(page, 'recharge-result');

    await page.getByRole('link', { name: '返回我的钱包' }).click();
    await expect(page.getByTestId('balance-available')).toHaveText('¥1,234.56');
    await expect(page.getByTestId('statement').getByText('+¥1,234.56')).toBeVisible();
    // The summary names the channel; the order number stays with the line.
    const row = page.getByTestId('statement').locator('tr').filter({ hasText: '+¥1,234.56' });
    await expect(row).toContainText('充值 · 网银（中国工商银行）');
    await expect(row).toContainText(/单号 R/);
    await shoot(page, 'wallet-statement');
    await expect(page.getByRole('link', { name: '导出 CSV' })).toHaveAttribute('href', '/api/v1/wallet/statement.csv');
  });

  test('a declined payment shows 付款失败 and leaves the balance alone', async ({ page }) => {
    await loginAs(page, 'zhixing');
    await page.goto('/wallet/recharge');
    await page.getByLabel('充值金额（元）').fill('50');
    await page.getByText('网银', { exact: true }).click();
    await page.getByText('招商银行', { exact: true }).click();
    await page.getByRole('button', { name: '确定，去付款' }).click();
    await page.getByRole('button', { name: '拒绝付款' }).click();
    await expect(page.getByTestId('recharge-result')).toHaveAttribute('data-status', 'failed', { timeout: 30_000 });
    await page.goto('/wallet');
    await expect(page.getByTestId('balance-available')).toHaveText('¥1,234.56');
  });

  test('offline recharge: the enterprise declares the transfer, the operator confirms it, the wallet is credited', async ({ page, browser }) => {
    await loginAs(page, 'zhixing');
    await page.goto('/wallet/recharge?tab=offline');
    await expect(page.getByText('请认准平台公布的收款账户，切勿汇至其他账户')).toBeVisible();
    await expect(page.getByTestId('receiving-account')).toBeVisible();
    await page.getByLabel('充值金额（元）').fill('20000');
    await page.getByLabel('打款时间').fill('2026-01-05T10:30');
    await page.getByLabel('付款户名').fill('江西知行知识产权代理有限公司');
    await page.getByLabel('付款账号').fill('6222 0215 0001 2345 678');
    await page.getByLabel('备注（选填）').fill('e2e 线下充值');
    await page.getByRole('button', { name: '提交' }).click();
    const done = page.getByText(/已提交线下充值单 X\d+/);
    await expect(done).toBeVisible();
    await expect(page.getByText('1–3 个工作日内确认收款')).toBeVisible();
    await shot(page, 'recharge-offline-submitted');
    const orderNo = (await done.innerText()).match(/X\d+/)![0];

    await asOperator(browser, async (op) => {
      await op.goto('/admin/recharges');
      const row = op.getByTestId('pending-recharge').filter({ hasText: orderNo });
      await expect(row).toContainText('¥20,000.00');
      await expect(row).toContainText('6222021500012345678');
      await shot(op, 'admin-recharges');
      await row.getByRole('button', { name: `确认到账 ${orderNo}` }).click();
      await expect(op.getByTestId('pending-recharge').filter({ hasText: orderNo })).toHaveCount(0);
    });

    await page.goto('/wallet');
    await expect(page.getByTestId('balance-available')).toHaveText('¥21,234.56');
    await expect(page.getByTestId('recent-recharges').locator('li').filter({ hasText: orderNo })).toContainText('充值成功');
  });

  const accountNo = `6${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e6)).padStart(6, '0')}`;
  test('bank card verification: add a corporate account, read the micro-deposit from the outbox, verify', async ({ page }) => {
    await loginAs(page, 'zhixing');
    await page.goto('/wallet/cards');
    await expect(page.getByText('对公账户的开户名须与单位全称一致')).toBeVisible();
    await expect(page.getByLabel('开户名')).toHaveValue('江西知行知识产权代理有限公司');
    await page.getByLabel('开户银行').selectOption('ICBC');
    await page.getByLabel('开户支行').fill('中国工商银行赣州分行营业部');
    await page.getByLabel('账号').fill(accountNo);
    await page.getByRole('button', { name: '保存' }).click();
    await expect(page.getByText('平台已向该账户转入一笔 ¥0.01–¥0.99 的验证款，请查看银行到账短信后填写金额').first()).toBeVisible();

    const card = page.getByTestId('card-item').filter({ hasText: accountNo.slice(-4) });
    await expect(card).toContainText('待验证');
    await card.getByLabel('收到的验证款金额（元）').fill('1.50');
    await card.getByRole('button', { name: '提交' }).click();
    await expect(card.getByRole('alert')).toBeVisible();

    // A wrong amount in range costs a try: the card's own line agrees with the error beside it.
    const amount = await readMicroDeposit(page, accountNo.slice(-4));
    await card.getByLabel('收到的验证款金额（元）').fill(amount === '0.99' ? '0.98' : (Number(amount) + 0.01).toFixed(2));
    await card.getByRole('button', { name: '提交' }).click();
    await expect(card.getByRole('alert')).toHaveText('金额不正确，还可尝试 2 次');
    await expect(card).toContainText('还可尝试 2 次。');
    await expect(card).not.toContainText('还可尝试 3 次');
    await shot(page, 'cards-wrong-amount');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'cards-wrong-amount-390');
    await page.setViewportSize({ width: 1280, height: 800 });

    await card.getByLabel('收到的验证款金额（元）').fill(amount);
    await card.getByRole('button', { name: '提交' }).click();
    await expect(card).toContainText('已认证');
    await shot(page, 'cards-verified');
  });

  test('withdrawal: set the security password, withdraw to the verified card, the operator approves', async ({ page, browser }) => {
    await loginAs(page, 'zhixing');
    await page.goto('/wallet/withdraw');
    await page.getByRole('link', { name: '设置安全密码' }).click();
    await page.getByLabel('登录密码').fill('Bangfu2026');
    await page.getByLabel('安全密码', { exact: true }).fill('135790');
    await page.getByLabel('确认安全密码').fill('135790');
    await page.getByRole('button', { name: '设置安全密码' }).click();
    await expect(page.getByText('安全密码已设置')).toBeVisible();
    await page.getByRole('link', { name: '继续提现' }).click();

    await expect(page.getByTestId('withdraw-available')).toHaveText('¥21,234.56');
    await page.getByLabel('提现金额（元）').fill('300.50');
    await page.getByRole('radio', { name: new RegExp(accountNo.slice(-4)) }).check();
    await page.getByLabel('安全密码').fill('000000');
    await page.getByRole('button', { name: '确认提现' }).click();
    await expect(page.getByText('安全密码错误，还可尝试 4 次')).toBeVisible();

    await page.getByLabel('安全密码').fill('135790');
    await expect(page.getByTestId('withdraw-summary')).toContainText('¥300.50');
    await shot(page, 'withdraw');
    await page.getByRole('button', { name: '确认提现' }).click();
    const done = page.getByTestId('withdraw-done');
    await expect(done).toContainText('已提交，金额已冻结，等待平台审核打款');
    const withdrawalNo = (await done.innerText()).match(/W\d+/)![0];

    await page.goto('/wallet');
    await expect(page.getByTestId('balance-available')).toHaveText('¥20,934.06');
    await expect(page.getByTestId('balance-frozen')).toHaveText('¥300.50');

    await asOperator(browser, async (op) => {
      await op.goto('/admin/withdrawals');
      const row = op.getByTestId('pending-withdrawal').filter({ hasText: withdrawalNo });
      await expect(row).toContainText('¥300.50');
      await shot(op, 'admin-withdrawals');
      await row.getByRole('button', { name: `批准打款 ${withdrawalNo}` }).click();
      await expect(op.getByTestId('pending-withdrawal').filter({ hasText: withdrawalNo })).toHaveCount(0);
      await op.goto('/admin/ledger');
      await expect(op.getByTestId('ledger-status')).toHaveAttribute('data-ok', 'true');
      await shot(op, 'admin-ledger');
    });

    await page.goto('/wallet');
    await expect(page.getByTestId('balance-frozen')).toHaveText('¥0.00');
    await expect(page.getByTestId('recent-withdrawals').locator('li').filter({ hasText: withdrawalNo })).toContainText('已打款');
    await shot(page, 'wallet');
  });
});

// Another provider's wallet (chengxin), so zhixing's exact balances above stay as they are: this asserts the difference.
test.describe('wallet recharge on a phone', () => {
  test('微信支付 with a quick amount on a 390 px phone: 充值成功, the balance and the statement show it', async ({ browser }) => {
    await onPhone(browser, async (page) => {
      await loginAs(page, 'chengxin');
      await page.goto('/wallet');
      const before = yuanOf(await page.getByTestId('balance-available').innerText());

      await page.goto('/wallet/recharge');
      await expect(page.getByRole('radio', { name: /微信支付/ })).toBeChecked();
      // Phone methods first, each a large tap target.
      const tiles = page.locator('label:has(input[name=method])');
      await expect(tiles.first()).toContainText('微信支付');
      await expect(tiles.nth(1)).toContainText('支付宝');
      for (const box of await Promise.all((await tiles.all()).map((t) => t.boundingBox()))) expect(box!.height).toBeGreaterThanOrEqual(44);
      await page.getByText('¥500', { exact: true }).tap();
      await expect(page.getByLabel('充值金额（元）')).toHaveCount(0);
      await shot(page, 'recharge-phone-390');
      await page.getByRole('button', { name: '确定，去付款' }).tap();

      await expect(page).toHaveURL(/\/api\/v1\/sandbox\/bank/);
      await expect(page.getByRole('heading', { name: '微信支付（沙箱）' })).toBeVisible();
      await expect(page.getByText('¥500.00')).toBeVisible();
      await page.getByRole('button', { name: '确认付款' }).tap();

      await expect(page).toHaveURL(/\/wallet\/recharge\/result\?orderNo=R/);
      const orderNo = new URL(page.url()).searchParams.get('orderNo')!;
      const result = page.getByTestId('recharge-result');
      await expect(result).toHaveAttribute('data-status', 'paid', { timeout: 30_000 });
      await expect(result.getByText('充值成功')).toBeVisible();
      await expect(page.getByText('在线充值 · 微信支付')).toBeVisible();
      await shot(page, 'recharge-phone-result-390');

      await page.getByRole('link', { name: '返回我的钱包' }).tap();
      await expect(page.getByTestId('balance-available')).toHaveText(`¥${((before + 50_000) / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`);
      // On a phone the statement is a list (the table is for wider screens).
      // The newest line: named by what was used to pay, not by the order number.
      const line = page.getByTestId('statement-list').locator('li').first();
      await expect(line).toContainText('在线充值');
      await expect(line).toContainText('充值 · 微信支付');
      await expect(line).toContainText('+¥500.00');
      await expect(line).not.toContainText(orderNo);
      await shot(page, 'wallet-statement-phone-390');
    });
  });

  test('a shortfall link presets the amount and says why; a bad amount in the link is ignored', async ({ page }) => {
    await loginAs(page, 'chengxin');
    await page.goto('/wallet/recharge?amount=2000&for=deposit&returnTo=%2Faccount%2Fprojects');
    await expect(page.getByTestId('recharge-reason')).toHaveText('发布需求需缴纳保证金 ¥2,000.00，当前余额不足');
    await expect(page.getByRole('radio', { name: '其他金额' })).toBeChecked();
    await expect(page.getByLabel('充值金额（元）')).toHaveValue('2000');
    await shot(page, 'recharge-shortfall-1280');
    // 线下充值 keeps the amount and the reason.
    await page.getByRole('link', { name: '线下充值' }).click();
    await expect(page.getByTestId('recharge-reason')).toBeVisible();
    await expect(page.getByLabel('充值金额（元）')).toHaveValue('2000');
    await page.goto('/wallet/recharge?amount=10000&for=escrow&returnTo=%2Faccount%2Fagreements');
    await expect(page.getByTestId('recharge-reason')).toHaveText('托管合同款还差 ¥10,000.00，当前余额不足');
    await expect(page.getByRole('radio', { name: '¥10,000' })).toBeChecked();
    await page.goto('/wallet/recharge?amount=-5&for=deposit');
    await expect(page.getByTestId('recharge-reason')).toHaveText('发布需求需缴纳保证金，当前余额不足');
    await expect(page.getByLabel('充值金额（元）')).toHaveValue('');
  });
});
