import { expect, test, type Page } from '@playwright/test';
import ExcelJS from 'exceljs';
import { usccCheckCharacter } from '../core/shared/validators';
import { signedIn, snap } from './fixtures';

/**
 * The quotas pages one by one (issue 16; the whole journey is e2e/quotas.spec.ts): a finance bureau (demo login qjczj) manages the units
 * below it, a unit (qjjwh) confirms its profile and opens its purchasers' trading accounts, a purchaser
 * (13900000171) finds the mall from its phone page. Screenshots in e2e/artifacts.
 */
const uscc = (first17: string) => first17 + usccCheckCharacter(first17);
const shot = async (page: Page, name: string) => {
  await page.waitForTimeout(400);
  await snap(page, `e2e/artifacts/quotas-pages-${name}-${page.viewportSize()!.width}`);
};

test.describe.configure({ mode: 'serial' });

test('a finance bureau adds a unit, sets its figures and generates management accounts', async ({ browser }) => {
  const { context, page } = await signedIn(browser, 'qjczj');
  await page.goto('/quotas');
  await expect(page.getByRole('heading', { name: '綦江区财政局' })).toBeVisible();
  await expect(page.getByTestId('tile-units')).toContainText('8');
  await page.getByTestId('tile-units').click();
  await expect(page.getByRole('heading', { name: '预算单位管理' })).toBeVisible();
  await expect(page.getByText('共 8 个单位')).toBeVisible();

  // Every field's message at once, next to its field.
  await page.getByRole('link', { name: '新增单位' }).click();
  await page.getByLabel('预算单位名称', { exact: true }).fill('綦江');
  await page.getByLabel('统一信用代码', { exact: true }).fill('123');
  await page.getByRole('button', { name: '保存单位' }).click();
  await expect(page.getByText('请填写单位全称', { exact: false })).toBeVisible();
  await expect(page.getByText('联系人至少 2 个字')).toBeVisible();
  await shot(page, 'new-errors');
  await page.getByLabel('预算单位名称', { exact: true }).fill('綦江区东溪镇人民政府');
  await page.getByLabel('统一信用代码', { exact: true }).fill(uscc('11500110MB1698001'));
  await page.getByLabel('预算级次').selectOption('乡');
  await page.getByLabel('联系人', { exact: true }).fill('冯镇长');
  await page.getByLabel('联系人手机号').fill('13900003101');
  await page.getByLabel('年度农副产品采购额（元）').fill('600000');
  await page.getByLabel('拟预留比例（%）').fill('10');
  await page.getByRole('button', { name: '保存单位' }).click();
  await expect(page.getByRole('heading', { name: '綦江区东溪镇人民政府' })).toBeVisible();
  await expect(page.getByText('¥60,000.00')).toBeVisible();
  await expect(page.getByText('手工新增')).toBeVisible();

  // Edit: the superior is named (the bureau itself); the code stays.
  await page.getByRole('link', { name: '修改信息' }).click();
  await expect(page.getByLabel('上级预算单位名称')).toHaveValue('綦江区财政局');
  await expect(page.getByLabel('统一信用代码', { exact: true })).toHaveAttribute('readonly', '');
  await page.getByLabel('联系人', { exact: true }).fill('卫镇长');
  await page.getByRole('button', { name: '保存修改' }).click();
  await expect(page.getByText('修改已保存')).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: '卫镇长' })).toBeVisible();

  // A superior changes the figures; the history says before → after.
  await page.getByLabel('拟预留比例（%）').fill('12.5');
  await page.getByRole('button', { name: '保存', exact: true }).click();
  await expect(page.getByText('年度采购额和预留比例已保存')).toBeVisible();
  await expect(page.getByText('¥75,000.00')).toBeVisible();
  await expect(page.getByText('修改采购额和预留比例')).toBeVisible();
  await shot(page, 'unit-detail');

  // Management accounts for every unit without one: progress, then how many SMS went out.
  await page.goto('/quotas/units?accountState=none');
  await expect(page.getByText('共 8 个单位')).toBeVisible();
  await page.getByRole('button', { name: '生成管理账号' }).click();
  await expect(page.getByText('已为 8 个单位生成管理账号，已向联系人发送 8 条短信', { exact: false })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText('没有符合条件的预算单位')).toBeVisible();
  await shot(page, 'generated');
  await context.close();
});

test('a finance bureau imports units from the sheet', async ({ browser }) => {
  const { context, page } = await signedIn(browser, 'qjczj');
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('预算单位情况表');
  ws.addRow([
    '预算单位名称',
    '上级预算单位名称',
    '预算单位统一信用代码',
    '联系人',
    '联系人手机号',
    '预算级次',
    '行政级次',
    '年度农副产品采购额（元）',
    '拟预留比例（%）',
  ]);
  // The child comes before its superior (any order), and one row is wrong.
  ws.addRow(['綦江区教育委员会第一幼儿园', '綦江区直属学校管理中心', uscc('12500110MB1699001'), '赵园长', '13900003001', '县', '其他', '320000', '15']);
  ws.addRow(['綦江区直属学校管理中心', '', uscc('12500110MB1699002'), '钱主任', '13900003002', '县', '乡科级', '800000', '12.5']);
  ws.addRow(['綦江区扶欢镇', '', '123456', '李', '1390000', '镇', '', '-1', '120']);
  for (const c of [3, 5]) ws.getColumn(c).numFmt = '@';
  const file = test.info().outputPath('units.xlsx');
  await wb.xlsx.writeFile(file);

  await page.goto('/quotas/units/import');
  await expect(page.getByText('行的顺序不限')).toBeVisible();
  await page.waitForLoadState('networkidle'); // the file input's handler is attached once the page is live
  await page.locator('input[type=file]').setInputFiles(file);
  await expect(page.getByRole('button', { name: '确认导入' })).toBeEnabled({ timeout: 30_000 });
  await shot(page, 'import-preview');
  await page.getByRole('button', { name: '确认导入' }).click();
  await expect(page.getByTestId('import-next')).toBeVisible({ timeout: 30_000 });
  await page.goto('/quotas/units?keyword=%E7%9B%B4%E5%B1%9E%E5%AD%A6%E6%A0%A1');
  await expect(page.getByRole('link', { name: '綦江区直属学校管理中心' }).first()).toBeVisible();
  await context.close();
});

test('a unit confirms its profile, sees its own figures and opens its purchasers’ accounts', async ({ browser }) => {
  const { context, page } = await signedIn(browser, 'qjjwh', 390);
  await page.goto('/quotas?activated=1');
  await expect(page.getByRole('heading', { name: '完善资料' })).toBeVisible();
  await page.getByLabel('行政级次').selectOption('县处级');
  await page.getByRole('button', { name: '确认并进入' }).click();
  await expect(page.getByText('资料已确认')).toBeVisible();
  await expect(page.getByRole('heading', { name: '綦江区教育委员会' })).toBeVisible();
  await shot(page, 'unit-home');
  await page.getByRole('link', { name: '本单位详情和变更记录' }).click();
  await expect(page.getByText('本单位的年度采购额和预留比例请联系上级预算单位修改')).toBeVisible();
  await expect(page.getByRole('button', { name: '重置密码' })).toHaveCount(0);
  await page.goto('/quotas/purchasers');
  await expect(page.getByText('共 3 个采购人')).toBeVisible();
  await page.getByRole('button', { name: /生成交易账号/ }).click();
  await expect(page.getByText('已开通 2 个交易账号', { exact: false })).toBeVisible();
  await expect(page.getByRole('button', { name: '重发短信' })).toHaveCount(2);
  await shot(page, 'purchasers');
  await context.close();
});

test('a purchaser’s phone page leads to the mall', async ({ browser }) => {
  const { context, page } = await signedIn(browser, '13900000171', 390);
  await page.goto('/quotas');
  await expect(page.getByText('您是以下预算单位的采购人')).toBeVisible();
  await expect(page.getByRole('link', { name: '去商城采购' })).toHaveAttribute('href', '/mall');
  await shot(page, 'buyer');
  await page.goto('/quotas/units');
  await expect(page.getByText('只有本单位负责人或管理员', { exact: false })).toBeVisible();
  await context.close();
});
