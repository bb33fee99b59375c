import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { api, payOnline, readMicroDeposit, shoot, signedIn } from './fixtures';

/**
 * Government consumption vouchers, end to end: the bureau creates a campaign with the manual's tiers
 * and funds it; two residents grab at the issuance time (the second sees 已抢光); a merchant enrols and
 * is approved; a resident pays with a coupon by payment code; settlement waits for the validity end,
 * then (the campaign's end moved with the development time hook) pays the merchant.
 */
test.describe.configure({ mode: 'serial' });

const stamp = Date.now().toString(36);
const name = `綦江区消费券E2E${stamp}`;
let campaignId = '';
let bureau: BrowserContext;

test('the bureau creates a campaign with the manual tiers and funds it', async ({ browser }) => {
  test.setTimeout(90_000);
  const s = await signedIn(browser, 'qijiang', 1280);
  bureau = s.context;
  const page = s.page;
  // The pool takes the whole budget from the bureau's wallet: top it up first (at most ¥500,000 a payment).
  for (const yuan of ['500000', '100']) {
    await page.goto('/wallet/recharge');
    await payOnline(page, yuan);
  }

  await page.goto('/gov/vouchers/new');
  await page.getByLabel('活动名称').fill(name);
  await page.getByLabel('文号').fill(`綦商务发〔2026〕${stamp}号`);
  await page.getByLabel('资金总额（元）').fill('500100');
  await page.getByLabel('有效期截止（北京时间）').fill('2030-12-31T23:59');
  await page.getByRole('button', { name: '保存活动' }).click();
  await expect(page.getByRole('heading', { name })).toBeVisible();
  campaignId = page.url().match(/\/gov\/vouchers\/([0-9a-f-]{36})/)![1]!;

  await page.getByRole('link', { name: '新增发券批次' }).click();
  await page.getByLabel('发放时间（北京时间）').fill('2030-12-03T10:00');
  // The manual's four rows are the form's defaults: check them and their values.
  const rows: [string, string, string][] = [
    ['100', '30', '3000'],
    ['150', '50', '2200'],
    ['100', '30', '5000'],
    ['200', '60', '2500'],
  ];
  for (const [i, [threshold, discount, count]] of rows.entries()) {
    await expect(page.getByLabel(`第 ${i + 1} 行门槛金额（元）`)).toHaveValue(new RegExp(`^${threshold}(\\.00)?$`));
    await expect(page.getByLabel(`第 ${i + 1} 行减免金额（元）`)).toHaveValue(new RegExp(`^${discount}(\\.00)?$`));
    await expect(page.getByLabel(`第 ${i + 1} 行张数`)).toHaveValue(count);
  }
  for (const v of ['90,000', '110,000', '150,000']) await expect(page.getByText(new RegExp(`¥${v}(\\.00)?`)).first()).toBeVisible();
  await expect(page.getByText(/¥500,000(\.00)?/).first()).toBeVisible();
  await shoot(page, 'vouchers-bureau-issuance', [1280]);
  await page.getByRole('button', { name: '保存批次' }).click();
  await expect(page.getByText('第1次发券', { exact: true })).toBeVisible();

  await page.getByRole('button', { name: /划拨资金/ }).click();
  await expect(page.getByText(/已于 .* 划入活动资金池/)).toBeVisible();
  await shoot(page, 'vouchers-bureau-funded', [1280]);
});

test('two residents grab at the issuance time; the second sees 已抢光', async ({ browser }) => {
  test.setTimeout(60_000);
  // A second issuance a few seconds ahead (the API takes seconds; the form takes minutes): one coupon.
  const startsAt = new Date(Date.now() + 12_000).toISOString();
  await api(bureau, 'POST', `/vouchers/campaigns/${campaignId}/issuances`, {
    startsAt,
    rows: [{ categoryCode: 'general', tierNo: 1, thresholdFen: 10_000, discountFen: 3_000, count: 1 }],
  });
  const a = await signedIn(browser, 'liuyang', 390);
  const b = await signedIn(browser, 'chenjing', 390);
  await Promise.all([a.page.goto(`/vouchers/${campaignId}`), b.page.goto(`/vouchers/${campaignId}`)]);
  await expect(a.page.getByTestId('countdown').first()).toBeVisible();
  await shoot(a.page, 'vouchers-grab-countdown', [390]);
  // The second issuance's card is the last; its button unlocks at the start.
  const buttonA = a.page.getByRole('button', { name: '立即领取' }).last();
  const buttonB = b.page.getByRole('button', { name: '立即领取' }).last();
  await expect(buttonA).toBeEnabled({ timeout: 25_000 });
  await buttonA.click();
  await expect(a.page.getByText('领取成功')).toBeVisible();
  // With the live counts pushed (Redis), B's card may already say 已抢光 before any click.
  // (Both can show for a moment, the badge pushed before the button turns: either one will do.)
  await expect(buttonB.or(b.page.getByText('已抢光')).first()).toBeVisible({ timeout: 10_000 });
  // The button may turn into 已抢光 at any moment (the live counts): a short try, never a wait for an element gone.
  await buttonB.click({ timeout: 2_000 }).catch(() => undefined);
  await expect(b.page.getByText('已抢光').first()).toBeVisible();
  await shoot(a.page, 'vouchers-grab-won', [390]);
  await shoot(b.page, 'vouchers-grab-sold-out', [390]);
  await a.context.close();
  await b.context.close();
});

test('a merchant enrols, the bureau approves, a resident pays with the coupon', async ({ browser }) => {
  test.setTimeout(90_000);
  const shop = await signedIn(browser, 'qjshop01', 390);
  const form = shop.page;
  await form.goto(`/vouchers/${campaignId}/enrol`);
  if (await form.getByRole('button', { name: '提交报名' }).isVisible()) {
    if (await form.getByRole('option', { name: '暂无已认证的银行卡' }).count()) {
      // Enrolment needs a verified settlement card: add the shop's corporate account and verify it.
      const accountNo = `6${String(Date.now()).slice(-9)}${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
      await form.goto('/wallet/cards');
      await form.getByLabel('开户银行').selectOption('ICBC');
      await form.getByLabel('开户支行').fill('中国工商银行綦江支行');
      await form.getByLabel('账号').fill(accountNo);
      await form.getByRole('button', { name: '保存' }).click();
      const card = form.getByTestId('card-item').filter({ hasText: accountNo.slice(-4) });
      await expect(card).toContainText('待验证');
      await card.getByLabel('收到的验证款金额（元）').fill(await readMicroDeposit(form, accountNo.slice(-4)));
      await card.getByRole('button', { name: '提交' }).click();
      await expect(card).toContainText('已认证');
      await form.goto(`/vouchers/${campaignId}/enrol`);
    }
    await form.getByLabel('经营地址').fill('重庆市綦江区古南街道文龙街1号');
    await form.getByLabel('所在街镇').selectOption({ index: 1 });
    await form.getByLabel('经营类别').selectOption({ index: 1 });
    await form.getByLabel('商户编号').fill('102653000000001');
    await form.getByLabel('联系人').fill('刘店长');
    await form.getByLabel('联系电话').fill('13900001111');
    const file = form.locator('input[type=file]');
    if (await file.count()) {
      await file.setInputFiles({ name: 'door.png', mimeType: 'image/png', buffer: PNG });
    }
    await shoot(form, 'vouchers-merchant-enrol', [390]);
    await form.getByRole('button', { name: '提交报名' }).click();
  }
  await expect(form.getByText('待审核').first()).toBeVisible();

  const page = (await bureau.pages())[0] ?? (await bureau.newPage());
  await page.goto(`/gov/vouchers/${campaignId}/merchants`);
  await page.getByRole('button', { name: '通过' }).first().click();
  await page.goto(`/gov/vouchers/${campaignId}/merchants?status=approved`);
  await expect(page.getByRole('cell', { name: /.+/ }).first()).toBeVisible();
  await shoot(page, 'vouchers-bureau-merchants', [1280]);

  const resident = await signedIn(browser, 'liuyang', 390);
  await resident.page.goto('/vouchers/pay');
  await expect(resident.page.getByText('秒后自动刷新')).toBeVisible();
  await shoot(resident.page, 'vouchers-pay-code', [390]);
  await resident.page.getByTestId('code-digits').click(); // 查看数字
  const digits = (await resident.page.getByTestId('code-digits').innerText()).replace(/\s/g, '');
  expect(digits).toMatch(/^\d{18}$/);

  await shop.page.goto('/vouchers/merchant');
  // 扫码 without a usable camera (headless browser: none, or no permission) says so and leaves typing.
  await shop.page.getByRole('button', { name: '扫码' }).click();
  await expect(shop.page.getByTestId('camera-message')).toContainText(/摄像头/);
  const codeField = shop.page.getByLabel('付款码');
  await codeField.fill(digits);
  // Shown in groups of 4 and whole at 390 px (the digits alone are sent: the quote below finds the coupon).
  await expect(codeField).toHaveValue(digits.replace(/(\d{4})(?=\d)/g, '$1 '));
  expect(await codeField.evaluate((el: HTMLInputElement) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
  await shop.page.getByLabel('消费金额（元）').fill('128');
  await shop.page.getByRole('button', { name: '查询可用消费券' }).click();
  const quote = shop.page.getByTestId('quote');
  await expect(quote).toBeVisible();
  await expect(quote).toContainText('30');
  await expect(quote).toContainText('98');
  await shoot(shop.page, 'vouchers-merchant-quote', [390]);
  await shop.page.getByRole('button', { name: '确认核销，请顾客付款' }).click();

  // The payment code page follows the code to the payment.
  await expect(resident.page).toHaveURL(/\/vouchers\/pay\/[0-9a-f-]{36}/, { timeout: 15_000 });
  await shoot(resident.page, 'vouchers-pay-confirm', [390]);
  await resident.page.getByRole('button', { name: /确认支付 ¥98/ }).click();
  // The WeChat-like sandbox page (wait for it: the confirm page's own button also reads 确认支付).
  await expect(resident.page).toHaveURL(/\/api\/v1\/sandbox\//, { timeout: 15_000 });
  await shoot(resident.page, 'vouchers-pay-sandbox', [390]);
  await resident.page.getByRole('button', { name: /确认付款|确认支付/ }).click();
  await expect(resident.page.getByText(/支付成功|已支付/).first()).toBeVisible({ timeout: 15_000 });
  await shoot(resident.page, 'vouchers-paid', [390]);
  await shop.page.reload();
  await expect(shop.page.getByText('核销 1 笔 · 订单 ¥128.00 · 消费券抵扣 ¥30.00').first()).toBeVisible();
  await expect(shop.page.getByText('实付 ¥98.00').first()).toBeVisible();
  await shoot(shop.page, 'vouchers-merchant-paid', [390]);

  // Settlement waits for the end of validity (2030): refused before it.
  const res = await bureau.request.post(`/api/v1/vouchers/campaigns/${campaignId}/settlement`, {
    headers: { authorization: `Bearer ${(await bureau.cookies()).find((c) => c.name === 'bangfu_session')?.value}` },
  });
  expect(res.status()).toBe(409);
  await page.goto(`/gov/vouchers/${campaignId}`);
  await expect(page.getByText('账实一致')).toBeVisible();
  await shoot(page, 'vouchers-bureau-campaign', [1280]);

  // The validity end moved a minute into the past (development time hook): unused coupons expire, settlement is due.
  const moved = await bureau.request.post('/dev/time-travel', { data: { campaignId, endsInSeconds: -60 } });
  expect(moved.status(), await moved.text()).toBe(200);
  await page.goto(`/gov/vouchers/${campaignId}/merchants`);
  await expect(page.getByText('有效期已结束，可以结算。')).toBeVisible();
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: '执行结算' }).click();
  await expect(page.getByText(/结算完成：\d+ 家商户/)).toBeVisible();
  await expect(page.getByText(/已于 .* 结算，结余/)).toBeVisible();
  await expect(page.getByRole('cell', { name: '已结算' }).first()).toBeVisible();
  await shoot(page, 'vouchers-bureau-settled', [390, 1280]);

  // The merchant's statement and wallet show the ¥30.00 discount paid in.
  await shop.page.goto('/vouchers/merchant');
  await expect(shop.page.getByText(/已结算 ¥30\.00（.*），已转入资金账户/).first()).toBeVisible();
  await shoot(shop.page, 'vouchers-merchant-settled', [390, 1280]);
  await shop.page.goto('/wallet');
  await expect(shop.page.getByText(`消费券结算 ${name}`).filter({ visible: true }).first()).toBeVisible();
  await shoot(shop.page, 'vouchers-merchant-wallet', [390, 1280]);
  await resident.context.close();
  await shop.context.close();
  await bureau.close();
});

// A 1×1 PNG (the shop front photo).
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
