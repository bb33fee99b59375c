import { expect, test } from '@playwright/test';
import { randomInt } from 'node:crypto';
import { orgOf, publishRequirement, shoot, signedIn } from './fixtures';

/** A unique suffix, so each run's messages and requirements are told apart. */
const tag = () => `${Date.now().toString(36).slice(-4)}${randomInt(100, 999)}`;

test.describe('pre-sales consultation (咨询)', () => {
  test('an enterprise consults a provider from its storefront, they chat live with receipts, and the consultation becomes an invitation', async ({
    browser,
  }) => {
    const t = tag();
    const title = `农产品电商详情页设计 ${t}`;
    const ent = await signedIn(browser, 'xitu');
    const op = await signedIn(browser, 'operator');
    const req = await publishRequirement(ent.context, op.context, { title, categoryCode: 'design.02', mode: 'invitation' });
    await op.context.close();
    const pv = await signedIn(browser, 'chuangxiang', 390);
    const provider = await orgOf(pv.context);
    const enterpriseName = (await orgOf(ent.context)).fullName;

    // A visitor is sent to sign in and brought back to the storefront.
    const visitor = await browser.newContext();
    const guest = await visitor.newPage();
    await guest.goto(`/showcase/${provider.organisationId}`);
    await guest.getByRole('link', { name: '咨询', exact: true }).click();
    await expect(guest).toHaveURL(`/login?redirectTo=${encodeURIComponent(`/showcase/${provider.organisationId}`)}`);
    await visitor.close();

    // A provider does not consult (not even itself): no 咨询 on its own storefront.
    await pv.page.goto(`/showcase/${provider.organisationId}`);
    await expect(pv.page.getByRole('heading', { name: provider.fullName, level: 1 })).toBeVisible();
    await expect(pv.page.getByRole('button', { name: '咨询', exact: true })).toHaveCount(0);

    // The enterprise opens the conversation from the storefront and writes first (the provider is not watching).
    await ent.page.goto(`/showcase/${provider.organisationId}`);
    await shoot(ent.page, 'presales-storefront');
    await ent.page.getByRole('button', { name: '咨询', exact: true }).click();
    await expect(ent.page).toHaveURL(/\/account\/consultations\/[0-9a-f-]{36}$/);
    const consultationUrl = new URL(ent.page.url()).pathname;
    await expect(ent.page.getByRole('heading', { name: `与 ${provider.fullName} 的咨询`, level: 1 })).toBeVisible();
    await expect(ent.page.getByTestId('connection')).toHaveText('实时连接');
    // An empty message is not sent.
    await expect(ent.page.getByRole('button', { name: '发送', exact: true })).toBeDisabled();
    const question = `想做一套详情页，大概多少钱、多久能交付？（${t}）`;
    await ent.page.getByLabel('消息内容').fill(question);
    await ent.page.getByRole('button', { name: '发送', exact: true }).click();
    const entThread = ent.page.getByTestId('consultation-thread');
    const asked = entThread.getByTestId('consultation-message').filter({ hasText: question });
    await expect(asked.getByTestId('message-status')).toHaveText('已发送');

    // The provider finds it under 咨询 with one unread message, and opens it.
    await pv.page.goto('/account/consultations');
    const row = pv.page.getByTestId('consultation-row').filter({ hasText: enterpriseName });
    await expect(row.getByTestId('unread-count')).toContainText('1');
    await expect(row).toContainText(question);
    await shoot(pv.page, 'presales-list');
    await row.click();
    await expect(pv.page).toHaveURL(consultationUrl);
    await expect(pv.page.getByTestId('consultation-thread').getByText(question)).toBeVisible();
    await expect(pv.page.getByTestId('connection')).toHaveText('实时连接');
    // Opening it read it: the enterprise's page shows 已读 without reloading.
    await expect(asked.getByTestId('message-status')).toHaveText('已读');

    // The reply arrives live on the enterprise's page; it is read there, and the provider sees 已读.
    const answer = `详情页 5 屏 4800 元，确认文案后 7 个工作日交付。（${t}）`;
    await pv.page.getByLabel('消息内容').fill(answer);
    await pv.page.getByRole('button', { name: '发送', exact: true }).click();
    await expect(entThread.getByText(answer)).toBeVisible();
    await expect(pv.page.getByTestId('consultation-message').filter({ hasText: answer }).getByTestId('message-status')).toHaveText('已读');
    await shoot(ent.page, 'presales-thread');
    await shoot(pv.page, 'presales-thread-provider');

    // Satisfied, the enterprise turns the consultation into an invitation to its open invitation requirement.
    await ent.page.getByRole('button', { name: `邀请 ${provider.fullName}` }).click();
    const dialog = ent.page.getByRole('dialog', { name: '邀请参与项目' });
    await dialog.getByRole('radio', { name: new RegExp(title) }).check();
    await dialog.getByLabel('附言（选填）').fill('按刚才沟通的报价，请在项目里确认。');
    await shoot(ent.page, 'presales-invite-dialog');
    await dialog.getByRole('button', { name: '发送邀请' }).click();
    await expect(ent.page.getByText(`已向 ${provider.fullName} 发出邀请`)).toBeVisible();
    const line = entThread.getByTestId('invitation-line').filter({ hasText: title });
    await expect(line).toContainText('按刚才沟通的报价，请在项目里确认。');
    await expect(line.getByRole('link', { name: '查看项目' })).toHaveAttribute('href', `/account/projects/${req.id}`);

    // Inviting again is refused in words, and nothing more is written.
    await ent.page.getByRole('button', { name: `邀请 ${provider.fullName}` }).click();
    await dialog.getByRole('radio', { name: new RegExp(title) }).check();
    await dialog.getByRole('button', { name: '发送邀请' }).click();
    await expect(dialog.getByText('已邀请过该服务机构')).toBeVisible();
    await dialog.getByRole('button', { name: '取消' }).click();
    await expect(entThread.getByTestId('invitation-line')).toHaveCount(1);

    // The provider sees the line live, and the invitation where invitations are answered.
    const pvLine = pv.page.getByTestId('consultation-thread').getByTestId('invitation-line').filter({ hasText: title });
    await expect(pvLine).toBeVisible();
    await shoot(pv.page, 'presales-invited-provider');
    await pvLine.getByRole('link', { name: '查看邀请' }).click();
    await expect(pv.page).toHaveURL('/account/invitations');
    const invitation = pv.page.getByTestId('invitation').filter({ hasText: title });
    await expect(invitation).toContainText('按刚才沟通的报价，请在项目里确认。');
    await expect(invitation.getByRole('button', { name: '接受' })).toBeVisible();

    // Reopening from the storefront lands in the same conversation.
    await ent.page.goto(`/showcase/${provider.organisationId}`);
    await ent.page.getByRole('button', { name: '咨询', exact: true }).click();
    await expect(ent.page).toHaveURL(consultationUrl);
    await expect(ent.page.getByTestId('consultation-thread').getByText(question)).toBeVisible();

    await ent.context.close();
    await pv.context.close();
  });
});
