import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { loginAs, snap } from './fixtures';

/**
 * Voucher merchants and redemption pages: the resident's payment code, the merchant's console, the
 * public merchant list, the enrolment form and the bureau's review list, at phone and desktop widths.
 */
const SHOTS = 'test-results/vouchers-merchants';
mkdirSync(SHOTS, { recursive: true });
const shot = (page: Page, name: string) => snap(page, `${SHOTS}/${name}`);
const phone = { width: 390, height: 844 };
/** A 1×1 PNG: what the journey uploads as a storefront photo. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
const desktop = { width: 1280, height: 800 };

async function campaignId(page: Page) {
  const res = await page.request.get('/api/v1/vouchers/public-campaigns');
  const body = (await res.json()) as { items: { id: string }[] };
  expect(body.items.length).toBeGreaterThan(0);
  return body.items[0]!.id;
}

test('payment code, merchant console, merchant list, enrolment and review', async ({ browser }) => {
  const resident = await browser.newPage({ viewport: phone });
  await loginAs(resident, 'liuyang');
  await resident.goto('/vouchers/pay');
  await expect(resident.getByText('秒后自动刷新')).toBeVisible();
  await resident.getByTestId('code-digits').click();
  const digits = (await resident.getByTestId('code-digits').innerText()).replace(/\s/g, '');
  expect(digits).toMatch(/^\d{18}$/);
  await shot(resident, 'pay-390');

  const shop = await browser.newPage({ viewport: desktop });
  await loginAs(shop, 'qjshop01');
  await shop.goto('/vouchers/merchant');
  await shop.getByLabel('付款码').fill(digits);
  await shop.getByLabel('消费金额（元）').fill('128');
  await shop.getByRole('button', { name: '查询可用消费券' }).click();
  await expect(shop.getByTestId('quote')).toBeVisible();
  await shot(shop, 'merchant-console-1280');
  await shop.setViewportSize(phone);
  await shot(shop, 'merchant-console-390');
  await shop.getByLabel('付款码').fill('661234567890123456');
  await shop.getByRole('button', { name: '查询可用消费券' }).click();
  await expect(shop.getByText('付款码无效')).toBeVisible();

  const id = await campaignId(shop);
  await shop.goto(`/vouchers/${id}/merchants`);
  // The 21 townships' merchants and the mall's 酉阳县花田乡贡米专业合作社 (enrolled so its checkout takes the coupons).
  await expect(shop.getByText('共 22 家商户')).toBeVisible();
  // The townships' shops show their storefront photos.
  await expect(shop.getByRole('img', { name: /门头$/ }).first()).toBeVisible();
  await shot(shop, 'merchants-390');
  await shop.setViewportSize(desktop);
  await shop.getByLabel('所在街镇').selectOption({ label: '东溪镇' });
  await shop.getByRole('button', { name: '搜索' }).click();
  await expect(shop.getByText('共 1 家商户')).toBeVisible();
  await shot(shop, 'merchants-1280');
  await shop.goto(`/vouchers/${id}/enrol`);
  // An enrolled merchant sees its storefront photo and replaces it.
  await expect(shop.getByRole('img', { name: /门头照片$/ })).toBeVisible();
  const before = await shop.getByRole('img', { name: /门头照片$/ }).getAttribute('src');
  await shop.locator('form[action="?/photo"] input[type=file]').setInputFiles({ name: 'door.png', mimeType: 'image/png', buffer: PNG });
  await shop.getByRole('button', { name: '保存照片' }).click();
  await expect(shop.getByText('门头照片已更新')).toBeVisible();
  await expect(shop.getByRole('img', { name: /门头照片$/ })).not.toHaveAttribute('src', before!);
  await shot(shop, 'enrol-done-1280');
  await shop.setViewportSize(phone);
  await shot(shop, 'enrol-done-390');
  await shop.setViewportSize(desktop);

  const other = await browser.newPage({ viewport: phone });
  await loginAs(other, 'fuxi');
  await other.goto(`/vouchers/${id}/enrol`);
  await shot(other, 'enrol-390');

  const bureau = await browser.newPage({ viewport: desktop });
  await loginAs(bureau, 'qijiang');
  await bureau.goto(`/gov/vouchers/${id}/merchants?status=approved`);
  await expect(bureau.getByText('参与商户审核')).toBeVisible();
  await shot(bureau, 'review-1280');
});
