import { expect, test } from '@playwright/test';
import { api, orgOf, shoot, signedIn } from './fixtures';

// The audit trail: an operator's decisions about the demo enterprise xitu (an offline recharge
// rejected with a reason, the organisation disabled and enabled again) are found at /admin/audit by
// the operator and at /account/audit by the enterprise's owner, who sees only its own rows.
test('audit trail: operators search and export every decision; an organisation’s owner sees its own', async ({ browser }) => {
  test.setTimeout(180_000);
  const owner = await signedIn(browser, 'xitu');
  const org = await orgOf(owner.context);
  const fullName = org.fullName;
  const order = await api<{ orderNo: string }>(owner.context, 'POST', '/wallet/recharges/offline', {
    amountFen: 123_400,
    transferredAt: new Date().toISOString(),
    payerName: fullName,
    payerAccount: '6222021234567890128',
  });

  const { context: opContext, page: op } = await signedIn(browser, 'operator');
  try {
    await api(opContext, 'POST', `/admin/recharges/${order.orderNo}/review`, { decision: 'reject', reason: '未查询到该笔来账，请核对打款账户' });
    await api(opContext, 'POST', `/admin/organisations/${org.organisationId}/status`, { status: 'disabled', reason: '营业执照待核验' });
    await api(opContext, 'POST', `/admin/organisations/${org.organisationId}/status`, { status: 'active', reason: '已核验' });

    await op.goto('/admin');
    await op.getByRole('navigation', { name: '运营后台' }).getByRole('link', { name: '操作记录' }).click();
    await expect(op.getByRole('heading', { name: '操作记录' })).toBeVisible();
    await op.getByLabel('组织名称').fill(fullName);
    await op.getByRole('button', { name: '查询' }).click();
    await expect(op).toHaveURL(/organisation=/);
    await expect(op.getByText(/^共 \d+ 条$/)).toBeVisible();
    const table = op.getByRole('table');
    const row = (text: string) => table.getByRole('row').filter({ hasText: text });
    // Newest first: enabled, disabled, then the rejected recharge.
    await expect(table.getByRole('row').nth(1)).toContainText('启用组织');
    await expect(table.getByRole('row').nth(2)).toContainText('停用组织');
    await expect(row('停用组织')).toContainText('营业执照待核验');
    await expect(table.getByRole('row').nth(3)).toContainText('驳回线下充值');
    await expect(row(order.orderNo)).toContainText('未查询到该笔来账，请核对打款账户');
    await expect(row(order.orderNo)).toContainText('operator');
    await row('停用组织').getByText('变更内容').click();
    await expect(row('停用组织')).toContainText('status：disabled');

    const [download] = await Promise.all([op.waitForEvent('download'), op.getByRole('link', { name: '导出 Excel' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^操作记录-.*\.xlsx$/);
    await shoot(op, 'audit-admin');

    // A bad range is answered beside the field, not with an error page.
    await op.goto('/admin/audit?from=2026-02-01&to=2026-01-01');
    await expect(op.getByText('结束日期不能早于开始日期')).toBeVisible();
  } finally {
    await opContext.close();
  }

  // The enterprise's owner: its own rows, no operator addresses, no other organisation.
  try {
    const page = owner.page;
    await page.goto('/account');
    await page.getByRole('navigation', { name: '用户中心' }).getByRole('link', { name: '操作记录' }).click();
    await expect(page.getByRole('heading', { name: '操作记录' })).toBeVisible();
    const rows = page.getByRole('table').getByRole('row');
    await expect(rows.filter({ hasText: order.orderNo })).toContainText('未查询到该笔来账，请核对打款账户');
    await expect(rows.filter({ hasText: '营业执照待核验' })).toContainText('停用组织');
    await expect(page.getByLabel('组织名称')).toHaveCount(0);
    await shoot(page, 'audit-account');
  } finally {
    await owner.context.close();
  }
});
