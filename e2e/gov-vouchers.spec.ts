import { expect, test } from '@playwright/test';
import { api, payOnline, signedIn, snap } from './fixtures';

/** The commerce bureau's voucher pages (demo login qijiang), at phone and desktop widths, with screenshots. */
for (const width of [390, 1280] as const) {
  test(`bureau voucher pages at ${width}px`, async ({ browser }) => {
    const { context, page } = await signedIn(browser, 'qijiang', width);
    const shot = async (name: string) => {
      await page.waitForTimeout(600);
      await snap(page, `e2e/artifacts/gov-vouchers-${name}-${width}`);
    };
    await page.goto('/gov/vouchers');
    await expect(page.getByRole('heading', { name: '消费券活动' })).toBeVisible();
    await shot('list');
    await page
      .getByRole('link', { name: /火锅消费周/ })
      .first()
      .click();
    await expect(page.getByText('第1次发券', { exact: true })).toBeVisible();
    await expect(page.getByText('账实一致')).toBeVisible();
    await shot('campaign');
    await page.goto('/gov/vouchers/new');
    // A third coupon category left empty: its field messages show in place.
    await page.getByRole('button', { name: '添加券类别' }).click();
    await page.getByRole('button', { name: '保存活动' }).click();
    await expect(page.getByText('请填写券类别名称')).toBeVisible();
    await expect(page.getByText('请至少选择一个适用的商户类别')).toBeVisible();
    await shot('new-errors');
    await page.getByTestId('category-row').nth(2).getByLabel('券类别名称').fill('家电券');
    await page.getByTestId('category-row').nth(2).getByRole('checkbox', { name: '家电', exact: true }).check();
    await page.getByTestId('category-row').nth(2).getByRole('checkbox', { name: '家居', exact: true }).check();
    await page.getByLabel('活动名称').fill('测试消费券活动');
    await page.getByLabel('文号').fill('綦商务发〔2026〕1号');
    await page.getByLabel('资金总额（元）').fill('600000');
    await page.getByLabel('有效期截止（北京时间）').fill('2030-12-10T23:59');
    await page.getByRole('button', { name: '保存活动' }).click();
    await expect(page.getByRole('heading', { name: '测试消费券活动' })).toBeVisible();
    await page.getByRole('link', { name: '修改活动' }).click();
    await expect(page.getByTestId('category-row')).toHaveCount(3);
    await expect(page.getByTestId('category-row').nth(2).getByRole('checkbox', { name: '家居', exact: true })).toBeChecked();
    await shot('edit');
    await page.getByRole('link', { name: '取消' }).click();
    await page.getByRole('link', { name: '新增发券批次' }).click();
    await page.getByLabel('发放时间（北京时间）').fill('2030-12-03T10:00');
    await page.getByLabel('第 3 行张数').fill('9000');
    await expect(page.getByText('超出')).toBeVisible();
    await page.getByRole('button', { name: '保存批次' }).click();
    await expect(page.getByText(/本行最多/)).toBeVisible();
    await shot('issuance-errors');
    await page.getByLabel('第 3 行张数').fill('5000');
    await page.getByRole('button', { name: '保存批次' }).click();
    await expect(page.getByText('第1次发券', { exact: true })).toBeVisible();
    await shot('new-campaign');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await context.close();
  });
}

test('the bureau console follows an issuance that starts and counts a grab live, without reloading', async ({ browser }) => {
  test.setTimeout(90_000);
  const { context, page } = await signedIn(browser, 'qijiang', 390);
  // A ¥60 campaign with two ¥30 coupons, funded, its issuance starting in a few seconds.
  await page.goto('/wallet/recharge');
  await payOnline(page, '100');
  const c = await api<{ id: string }>(context, 'POST', '/vouchers/campaigns', {
    name: `实时看板测试${Date.now().toString(36)}`,
    documentNo: '綦商务发〔2026〕9号',
    budgetFen: 6_000,
    validUntil: '2030-12-31T23:59',
  });
  const startsAt = Date.now() + 10_000;
  const i = await api<{ tiers: { id: string }[] }>(context, 'POST', `/vouchers/campaigns/${c.id}/issuances`, {
    startsAt: new Date(startsAt).toISOString(),
    rows: [{ categoryCode: 'general', tierNo: 1, thresholdFen: 10_000, discountFen: 3_000, count: 2 }],
  });
  await api(context, 'POST', `/vouchers/campaigns/${c.id}/fund`);
  await page.goto(`/gov/vouchers/${c.id}`);
  await expect(page.getByTestId('live-state')).toHaveText('● 实时');
  await expect(page.getByText(/已领 0 张/)).toBeVisible();
  const issuance = page.getByTestId('issuance');
  await expect(issuance.getByText('待发放')).toBeVisible();
  await expect(issuance.getByRole('link', { name: '修改' })).toBeVisible();
  await expect(issuance.getByRole('button', { name: '删除' })).toBeVisible();
  await page.waitForTimeout(400);
  await snap(page, 'e2e/artifacts/gov-vouchers-live-scheduled-390');
  let reloads = 0;
  page.on('framenavigated', () => reloads++);

  // The start time passes: 发放中 with 暂停 / 停止, no 修改 / 删除, before any coupon is granted.
  await expect(issuance.getByText('发放中')).toBeVisible({ timeout: startsAt - Date.now() + 5_000 });
  await expect(issuance.getByRole('button', { name: '暂停' })).toBeVisible();
  await expect(issuance.getByRole('button', { name: '停止' })).toBeVisible();
  await expect(issuance.getByRole('link', { name: '修改' })).toHaveCount(0);
  await expect(issuance.getByRole('button', { name: '删除' })).toHaveCount(0);

  const resident = await signedIn(browser, 'liuyang', 390);
  await expect
    .poll(
      async () =>
        api(resident.context, 'POST', '/vouchers/grabs', { tierId: i.tiers[0]!.id })
          .then(() => 'ok')
          .catch((e: Error) => e.message),
      { timeout: 30_000, intervals: [1_000] },
    )
    .toBe('ok');
  await expect(page.getByText(/已领 1 张/)).toBeVisible({ timeout: 5_000 });
  await expect(page.getByText('已领 1 / 2 张')).toBeVisible();
  await expect(page.getByText('未使用 1 · 已过期 0')).toBeVisible();
  await expect(issuance.getByText('发放中')).toBeVisible();
  await expect(issuance.getByRole('button', { name: '暂停' })).toBeVisible();
  await expect(issuance.getByRole('link', { name: '修改' })).toHaveCount(0);
  expect(reloads).toBe(0);
  await page.waitForTimeout(2_000); // the quiet data refresh after the start
  await expect(issuance.getByText('发放中')).toBeVisible();
  await snap(page, 'e2e/artifacts/gov-vouchers-live-390');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.waitForTimeout(400);
  await snap(page, 'e2e/artifacts/gov-vouchers-live-1280');

  // The last coupon granted: 已抢光, no actions left.
  const other = await signedIn(browser, 'chenjing', 390);
  await api(other.context, 'POST', '/vouchers/grabs', { tierId: i.tiers[0]!.id });
  await expect(issuance.getByText(/已领 2 张/)).toBeVisible({ timeout: 5_000 });
  await expect(issuance.getByText('已抢光')).toBeVisible();
  await expect(issuance.getByRole('button', { name: '暂停' })).toHaveCount(0);
  expect(reloads).toBe(0);
  await resident.context.close();
  await other.context.close();
  await context.close();
});
