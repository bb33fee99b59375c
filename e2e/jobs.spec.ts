import { expect, test } from '@playwright/test';
import { ADMIN_SECTIONS } from '../web/src/lib/admin-sections';
import { shoot, signedIn } from './fixtures';

// The operators' job queue: the counts at the top, the list of timed and outgoing jobs, and the
// filters by status and kind (the demo data leaves finished jobs behind: timers, the outbox).
test('job queue: an operator sees the counts and the jobs, and narrows the list by status and kind', async ({ browser }) => {
  const { context, page } = await signedIn(browser, 'operator');
  try {
    await page.goto('/admin');
    // The console home shows every section, each queue with what waits in it.
    const sections = page.getByTestId('admin-sections');
    await expect(sections.getByRole('listitem')).toHaveCount(ADMIN_SECTIONS.length);
    for (const s of ADMIN_SECTIONS) await expect(sections.getByRole('link', { name: new RegExp(`^${s.label}`) })).toBeVisible();
    await page.getByRole('navigation', { name: '运营后台' }).getByRole('link', { name: '后台任务' }).click();
    await expect(page).toHaveURL(/\/admin\/jobs$/);
    await expect(page.getByRole('heading', { name: '后台任务', level: 1 })).toBeVisible();

    const stats = page.getByTestId('job-stats');
    for (const label of ['等待执行', '已失败', '最久逾期', '外发延迟']) await expect(stats.getByText(label, { exact: true })).toBeVisible();
    const rows = page.getByTestId('jobs').getByTestId('job');
    await expect(rows.first()).toBeVisible();

    // Only the finished jobs.
    const filter = page.getByRole('search', { name: '筛选后台任务' });
    await filter.getByLabel('状态').selectOption({ label: '已完成' });
    await filter.getByRole('button', { name: '查询' }).click();
    await expect(page).toHaveURL(/status=done/);
    await expect(rows.first()).toContainText('已完成');
    await expect(rows.filter({ hasNotText: '已完成' })).toHaveCount(0);

    // And one kind of them: the kind filter keeps the status.
    const kind = filter.getByLabel('类型');
    // A kind that has finished jobs: the one of the first finished row.
    const firstRow = await rows.first().innerText();
    const kindLabels = (await kind.locator('option').allTextContents()).map((l) => l.trim()).slice(1);
    const kindLabel = kindLabels.find((l) => firstRow.includes(l))!;
    expect(kindLabel, `a kind label in「${firstRow}」`).toBeTruthy();
    await kind.selectOption({ label: kindLabel });
    await filter.getByRole('button', { name: '查询' }).click();
    await expect(page).toHaveURL(/status=done.*kind=|kind=.*status=done/);
    await expect(filter.getByLabel('状态')).toHaveValue('done');
    await expect(rows.first()).toContainText(kindLabel);
    await expect(rows.filter({ hasNotText: kindLabel })).toHaveCount(0);
    await expect(rows.filter({ hasNotText: '已完成' })).toHaveCount(0);

    await filter.getByLabel('类型').selectOption({ index: 0 });
    await filter.getByRole('button', { name: '查询' }).click();
    await expect(page).not.toHaveURL(/kind=[^&]/);
    await shoot(page, 'admin-jobs');
  } finally {
    await context.close();
  }
});
