import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { deflateSync } from 'node:zlib';
import { newMobile, shoot, signedIn, smsLogin } from './fixtures';

/**
 * 消费扶贫监测 (issue 17), the whole way of one purchase record: the 广州 city department (demo login gzfpb)
 * opens an auditor and a wholesale market; the market, signed in with an SMS code, opens a wholesaler; the
 * wholesaler files a record from its phone with an invoice photo; the market approves it, the city's
 * auditor returns it with a reason, the wholesaler fixes the quantity and files it again (the detail says
 * what changed), the market and the auditor approve, and the province (gdfpb) counts it under 广州市.
 * Screenshots of every step's page at 390 and 1280 px in e2e/artifacts/monitoring-*.
 */

/** A phone: the reporters and auditors work from one (manual 002). */
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' } as const;
const DESKTOP = { viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' } as const;

/** A person signed in with mobile + SMS code in a fresh context (a phone or a desktop). */
async function bySms(browser: Browser, mobile: string, device: typeof PHONE | typeof DESKTOP): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(device);
  const page = await context.newPage();
  await smsLogin(page, mobile, '/monitoring');
  return { context, page };
}

/** A small invoice photo: a white sheet with a red header band and grey lines, as a real PNG. */
function invoicePng(width = 240, height = 160): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const header = y < 28;
      const line = !header && y % 18 === 0 && x > 16 && x < width - 16;
      const [r, g, b] = header ? [185, 28, 28] : line ? [170, 170, 170] : [255, 255, 255];
      raw.set([r, g, b], row + 1 + x * 3);
    }
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const byte of buf) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The dashboard's figure under a StatCard label ("¥1,234.50" → 123450 fen; "12 笔" → 12). */
async function statCard(page: Page, label: string): Promise<string> {
  return page.getByText(label, { exact: true }).locator('xpath=following-sibling::p[1]').innerText();
}
const fenOf = (text: string) => Math.round(Number(text.replace(/[¥,\s]/g, '')) * 100);
const countOf = (text: string) => Number(text.replace(/[^\d]/g, ''));

/** The province's 广州市 figures on the roll-up (approved records only). */
async function guangzhouTotals(page: Page) {
  await page.goto('/monitoring/dashboard?groupBy=city&cityCode=440100');
  await expect(page.getByRole('heading', { name: '汇总统计' })).toBeVisible();
  return { fen: fenOf(await statCard(page, '采购金额')), records: countOf(await statCard(page, '审核通过记录')) };
}

/** Opens the record from a reviewer's 待审核 list (searched by its product name) and checks where it stands. */
async function openPending(page: Page, product: string, status: string) {
  await page.goto(`/monitoring/records?tab=pending&q=${encodeURIComponent(product)}`);
  await expect(page.getByText('共 1 条', { exact: true })).toBeVisible();
  const width = page.viewportSize()!.width;
  if (width < 640) await page.getByRole('link', { name: new RegExp(`^审核 .*${product}$`) }).click();
  else
    await page
      .getByRole('row', { name: new RegExp(product) })
      .getByRole('link', { name: '审核' })
      .click();
  await expect(page.getByRole('heading', { name: '查看详细信息' })).toBeVisible();
  await expect(page.getByText(status, { exact: true }).first()).toBeVisible();
}

test.describe.configure({ mode: 'serial' });

test('a record from a wholesaler’s phone through the market and the city department to the province’s roll-up', async ({ browser }) => {
  test.setTimeout(180_000);
  const tag = Date.now().toString(36).slice(-4).toUpperCase();
  const product = `罗城香米${tag}`;
  const market = { name: `广州穗丰农产品批发市场${tag}`, contact: '周经理', mobile: newMobile() };
  const wholesaler = { name: `穗丰市场批发商 广州禾丰粮油行${tag}`, contact: '陈老板', mobile: newMobile() };
  const auditor = { contact: '黄审核', mobile: newMobile() };

  const province = await signedIn(browser, 'gdfpb');
  const before = await guangzhouTotals(province.page);

  // 1. The city department opens an auditor and a wholesale market.
  const city = await signedIn(browser, 'gzfpb');
  await test.step('the city administrator opens an auditor and a market', async () => {
    const page = city.page;
    await page.goto('/monitoring/accounts');
    await expect(page.getByRole('heading', { name: '账号管理' })).toBeVisible();
    await shoot(page, 'monitoring-accounts-city');
    await page.getByRole('link', { name: '新建', exact: true }).click();
    await page.getByRole('radio', { name: '审核员' }).check();
    await page.getByLabel('联系人', { exact: true }).fill(auditor.contact);
    await page.getByLabel('手机号', { exact: true }).fill(auditor.mobile);
    await page.getByRole('button', { name: '开通账号' }).click();
    await expect(page.getByRole('row', { name: new RegExp(auditor.contact) })).toBeVisible();

    await page.getByRole('radio', { name: /批发市场/ }).check();
    await page.getByLabel('类型', { exact: true }).selectOption({ label: '批发市场' });
    await page.getByLabel('单位名称').fill(market.name);
    await page.getByLabel('联系人', { exact: true }).fill(market.contact);
    await page.getByLabel('手机号', { exact: true }).fill(market.mobile);
    await shoot(page, 'monitoring-accounts-new');
    await page.getByRole('button', { name: '开通账号' }).click();
    await expect(page.getByRole('row', { name: new RegExp(market.name) })).toBeVisible();
  });

  // 2. The market signs in with its mobile and an SMS code and opens a wholesaler.
  const marketSide = await bySms(browser, market.mobile, DESKTOP);
  await test.step('the market signs in by SMS and opens a wholesaler', async () => {
    const page = marketSide.page;
    await expect(page.getByRole('main').getByText(market.name).first()).toBeVisible();
    await shoot(page, 'monitoring-home-market');
    await page.goto('/monitoring/accounts');
    await page.getByRole('link', { name: '新建', exact: true }).click();
    await page.getByLabel('单位名称').fill(wholesaler.name);
    await page.getByLabel('联系人', { exact: true }).fill(wholesaler.contact);
    await page.getByLabel('手机号', { exact: true }).fill(wholesaler.mobile);
    await page.getByRole('button', { name: '开通账号' }).click();
    await expect(page.getByRole('row', { name: new RegExp(wholesaler.name) })).toBeVisible();
    await shoot(page, 'monitoring-accounts-market');
  });

  // 3. The wholesaler files a record from its phone, with an invoice photo.
  const shop = await bySms(browser, wholesaler.mobile, PHONE);
  let recordUrl = '';
  await test.step('the wholesaler files a record from its phone', async () => {
    const page = shop.page;
    await expect(page.getByRole('main').getByText(wholesaler.name).first()).toBeVisible();
    await shoot(page, 'monitoring-home-wholesaler');
    await page.getByRole('link', { name: '填写购销信息' }).first().click();
    await expect(page).toHaveURL(/\/monitoring\/records\/new$/);
    await page.waitForLoadState('networkidle'); // the cascading selects and the upload run in the page
    // Nothing filled: every field says what it needs at once.
    await page.getByRole('button', { name: '提交', exact: true }).click();
    await expect(page.getByText(/有 \d+ 处需要修改/)).toBeVisible();
    await shoot(page, 'monitoring-record-new-errors');

    await page.getByText('购销信息登记', { exact: true }).click();
    const period = page.getByLabel('填报期间');
    if (!(await period.inputValue())) await period.selectOption({ index: 1 });
    await page.getByText('是', { exact: true }).click();
    await page.getByLabel('产地（省）').selectOption({ label: '广西壮族自治区' });
    await page.getByLabel('产地（市）').selectOption({ label: '河池市' });
    await page.getByLabel('产地（县）').selectOption({ label: '罗城仫佬族自治县' });
    await page.getByLabel('品类').selectOption('粮食');
    await page.getByLabel('产品名称').fill(product);
    await page.getByLabel('单位', { exact: true }).selectOption('公斤');
    await page.getByLabel('采购数量').fill('120');
    await page.getByLabel('采购金额（元）').fill('3600.50');
    await page.locator('input[type=file]').setInputFiles({ name: '发票.png', mimeType: 'image/png', buffer: invoicePng() });
    await expect(page.getByRole('link', { name: '查看 发票.png' })).toBeVisible({ timeout: 15_000 });
    await shoot(page, 'monitoring-record-new');
    await page.getByRole('button', { name: '提交', exact: true }).click();
    await expect(page).toHaveURL(/\/monitoring\/records\/[0-9a-f-]+\?saved=submitted$/);
    await expect(page.getByText('已填报', { exact: true }).first()).toBeVisible();
    await expect(page.getByText(product, { exact: true })).toBeVisible();
    recordUrl = new URL(page.url()).pathname;
    await shoot(page, 'monitoring-record-filed');
  });

  // 4. The market approves it: on to the city department.
  await test.step('the market approves it', async () => {
    const page = marketSide.page;
    await openPending(page, product, '已填报');
    await shoot(page, 'monitoring-record-market-review');
    await page.getByRole('button', { name: '审核通过' }).click();
    await expect(page.getByText(/已审核通过。记录已提交至/)).toBeVisible();
    await expect(page.getByText('已提交', { exact: true }).first()).toBeVisible();
  });

  // 5. The city's auditor (SMS sign-in, on a phone) returns it with a reason.
  const reason = '采购数量与发票不符：发票为 150 公斤，请核对后重新提交';
  const audit = await bySms(browser, auditor.mobile, PHONE);
  await test.step('the auditor returns it with a reason', async () => {
    const page = audit.page;
    await openPending(page, product, '已提交');
    await page.getByRole('button', { name: '市级退回' }).click();
    // A reason is required.
    await page.getByRole('button', { name: '确认市级退回' }).click();
    await expect(page.getByText('请填写退回原因').first()).toBeVisible();
    await page.getByLabel('退回原因').fill(reason);
    await page.getByRole('button', { name: '确认市级退回' }).click();
    await expect(page.getByText('已退回修改', { exact: false }).first()).toBeVisible();
    await expect(page.getByText('退回修改', { exact: true }).first()).toBeVisible();
  });

  // 6. The wholesaler reads the reason, fixes the quantity and files it again: the detail shows 本次修改.
  await test.step('the wholesaler fixes it and resubmits', async () => {
    const page = shop.page;
    await page.goto('/monitoring');
    await expect(page.getByText(reason).first()).toBeVisible();
    await page.goto(recordUrl);
    await expect(page.getByRole('heading', { name: '广州市乡村振兴局退回修改' })).toBeVisible();
    await expect(page.getByText(reason).first()).toBeVisible();
    await shoot(page, 'monitoring-record-returned');
    await page.getByRole('link', { name: '修改', exact: true }).click();
    await expect(page).toHaveURL(/\/edit$/);
    await page.waitForLoadState('networkidle');
    await expect(page.getByLabel('采购数量')).toHaveValue(/^120(\.0*)?$/);
    await page.getByLabel('采购数量').fill('150');
    await shoot(page, 'monitoring-record-edit');
    await page.getByRole('button', { name: '提交', exact: true }).click();
    await expect(page).toHaveURL(/\?saved=submitted$/);
    await expect(page.getByText('已填报', { exact: true }).first()).toBeVisible();
    const changes = page.locator('section').filter({ has: page.getByRole('heading', { name: '本次修改' }) });
    await expect(changes.getByRole('listitem')).toHaveCount(1);
    await expect(changes.getByRole('listitem')).toContainText('采购数量');
    await expect(changes.locator('ins')).toHaveText(/^150(\.0*)?$/);
  });

  // 7. The market approves again; the auditor approves: 审核通过.
  await test.step('the market and the auditor approve', async () => {
    await openPending(marketSide.page, product, '已填报');
    await marketSide.page.getByRole('button', { name: '审核通过' }).click();
    await expect(marketSide.page.getByText('已提交', { exact: true }).first()).toBeVisible();

    const page = audit.page;
    await openPending(page, product, '已提交');
    await page.getByRole('button', { name: '审核通过' }).click();
    await expect(page.getByText('已审核通过。记录已上报至省级扶贫部门。')).toBeVisible();
    await expect(page.getByText('审核通过', { exact: true }).first()).toBeVisible();
    await shoot(page, 'monitoring-record-approved');
  });

  // 8. The province counts it under 广州市.
  await test.step('the province sees it in the roll-up under 广州市', async () => {
    const page = province.page;
    const after = await guangzhouTotals(page);
    expect(after.fen - before.fen).toBe(360_050);
    expect(after.records - before.records).toBe(1);
    await shoot(page, 'monitoring-dashboard-guangzhou');
    await page.goto(`/monitoring/records?tab=all&status=approved&q=${encodeURIComponent(product)}`);
    await expect(page.getByText('共 1 条', { exact: true })).toBeVisible();
    await expect(page.getByRole('row', { name: new RegExp(product) })).toContainText('¥3,600.50');
    await page.goto('/monitoring/dashboard');
    await expect(page.getByRole('row', { name: /广州市/ })).toBeVisible();
    await shoot(page, 'monitoring-dashboard');
  });

  for (const c of [province, city, marketSide, shop, audit]) await c.context.close();
});
