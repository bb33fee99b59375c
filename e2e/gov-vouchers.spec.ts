import { expect, test } from '@playwright/test';
import { signedIn } from './fixtures';

/** The commerce bureau's voucher pages (demo login qijiang), at phone and desktop widths, with screenshots. */
for (const width of [390, 1280] as const) {
  test(`bureau voucher pages at ${width}px`, async ({ browser }) => {
    const { context, page } = await signedIn(browser, 'qijiang', width);
    const shot = async (name: string) => {
      await page.waitForTimeout(600);
      await page.screenshot({ path: `e2e/artifacts/gov-vouchers-${name}-${width}.png`, fullPage: true });
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
    await page.getByRole('button', { name: '保存活动' }).click();
    await shot('new-errors');
    await page.getByLabel('活动名称').fill('测试消费券活动');
    await page.getByLabel('文号').fill('綦商务发〔2026〕1号');
    await page.getByLabel('资金总额（元）').fill('600000');
    await page.getByLabel('有效期截止（北京时间）').fill('2030-12-10T23:59');
    await page.getByRole('button', { name: '保存活动' }).click();
    await expect(page.getByRole('heading', { name: '测试消费券活动' })).toBeVisible();
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
