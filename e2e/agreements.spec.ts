import { expect, test, type Page } from '@playwright/test';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  api,
  day,
  named,
  orgOf,
  payOnline,
  publishRequirement,
  registerEnterprise,
  rememberSession,
  shoot,
  signedIn,
  submitProposal,
  timeTravel,
} from './fixtures';

const CHENGXIN = '赣州诚信财税咨询有限公司';

/** Downloads the formal agreement through `link` and checks its name and that it is a PDF. */
async function downloadPdf(page: Page, link: ReturnType<Page['getByRole']>, agreementNo: string) {
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toBe(`${agreementNo}.pdf`);
  const bytes = readFileSync((await download.path())!);
  expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  expect(bytes.byteLength).toBeGreaterThan(1000);
  await download.saveAs('e2e/artifacts/agreement.pdf');
}

/** The success message of the action just done on the agreement page. */
const done = (page: Page, text: string) => expect(page.getByText(text, { exact: true }).first()).toBeVisible();

test.describe('agreements and escrow', () => {
  test('draft → returned → revised → confirmed (PDF) → escrow by instalments (recharge) → two milestones delivered and accepted → completed → reviews on the storefront', async ({
    page,
    browser,
  }) => {
    test.setTimeout(150_000);
    const suffix = `${Date.now().toString(36).slice(-4)}${randomInt(100, 999)}`;
    const title = `代理记账与税务申报（协议）${suffix}`;
    const company = `赣州市章贡区协议测试贸易有限公司${suffix}`;

    // A new enterprise with just enough for the deposit (an offline transfer the operator confirms).
    const { username } = await registerEnterprise(page, company);
    await rememberSession(page.context(), username);
    const ent = { context: page.context(), page };
    const op = await signedIn(browser, 'operator');
    const transfer = await api<{ orderNo: string }>(ent.context, 'POST', '/wallet/recharges/offline', {
      amountFen: 20_000,
      transferredAt: new Date().toISOString(),
      payerName: company,
      payerAccount: '36050181000900000123',
    });
    await api(op.context, 'POST', `/admin/recharges/${transfer.orderNo}/review`, { decision: 'confirm' });

    // Its requirement, chengxin's proposal of ¥12,000, the opening moved to now, chengxin selected.
    const req = await publishRequirement(ent.context, op.context, { title, paymentMode: 'instalments' });
    await op.context.close();
    const pv = await signedIn(browser, 'chengxin');
    const chengxinId = (await orgOf(pv.context)).organisationId;
    await submitProposal(pv.context, req.id, 1_200_000);
    await timeTravel(ent.context, { requirementId: req.id, openingInSeconds: 0 });
    await api(ent.context, 'POST', `/requirements/${req.id}/select`, { providerId: chengxinId });

    // The provider drafts: two milestones that add up to the winning price, paid per milestone.
    await pv.page.goto('/account/agreements');
    await pv.page.getByRole('link', { name: named('起草协议', `：${title}`) }).click();
    await expect(pv.page.getByRole('heading', { name: '起草协议', level: 1 })).toBeVisible();
    await expect(pv.page.getByLabel('合同总价（元）')).toHaveValue('12000');
    await pv.page.getByLabel('服务内容').fill('全年代理记账、月度纳税申报与年度汇算清缴，每季度出具经营分析报告。');
    await pv.page.getByRole('radio', { name: /按里程碑放款/ }).check();
    const m1 = pv.page.getByRole('listitem', { name: '里程碑 1' });
    await m1.getByLabel('名称').fill('建账与首月申报');
    await m1.getByLabel('交付成果').fill('建账资料、首月纳税申报表');
    await m1.getByLabel('金额（元）').fill('5000');
    await m1.getByLabel('完成日期').fill(day(20));
    await pv.page.getByRole('button', { name: '添加里程碑' }).click();
    const m2 = pv.page.getByRole('listitem', { name: '里程碑 2' });
    await m2.getByLabel('名称').fill('全年记账与汇算清缴');
    await m2.getByLabel('交付成果').fill('月度报表、年度汇算清缴报告');
    await m2.getByLabel('金额（元）').fill('6000');
    await m2.getByLabel('完成日期').fill(day(55));
    await expect(pv.page.getByTestId('milestone-sum')).toContainText('还差 ¥1,000.00');
    await m2.getByLabel('金额（元）').fill('7000');
    await expect(pv.page.getByTestId('milestone-sum')).toContainText('金额一致');
    await shoot(pv.page, 'agreement-draft');
    await pv.page.getByRole('button', { name: '发送给企业' }).click();
    await expect(pv.page).toHaveURL(/\/account\/agreements\/[0-9a-f-]{36}$/);
    await expect(pv.page.getByText('协议已发送给企业。企业确认后生成正式协议书，退回的可以修改后再次发送。')).toBeVisible();
    const agreementUrl = new URL(pv.page.url()).pathname;
    const agreementNo = (await pv.page.getByText(/^协议编号 /).innerText()).match(/协议编号 (\S+)/)![1]!;

    // The enterprise reads it from 我的协议 and returns it with a comment.
    await ent.page.goto('/account/agreements');
    await ent.page.getByRole('link', { name: title }).click();
    await expect(ent.page).toHaveURL(agreementUrl);
    await expect(ent.page.getByRole('heading', { name: '请确认协议' })).toBeVisible();
    await shoot(ent.page, 'agreement-sent');
    await ent.page.getByRole('button', { name: '退回修改' }).click();
    const back = ent.page.getByRole('dialog', { name: '退回协议' });
    await back.getByLabel('退回意见').fill('第二个里程碑请写明每月报表的交付时间。');
    await back.getByRole('button', { name: '确认退回' }).click();
    await done(ent.page, '协议已退回服务机构修改，对方修改后会重新发送给您。');
    await expect(ent.page.getByText('已退回修改').first()).toBeVisible();

    // The provider sees the comment, revises and sends again.
    await pv.page.reload();
    await expect(pv.page.getByTestId('return-comment')).toContainText('第二个里程碑请写明每月报表的交付时间。');
    await shoot(pv.page, 'agreement-returned');
    await pv.page.getByRole('listitem', { name: '里程碑 2' }).getByLabel('交付成果').fill('每月 15 日前交付月度报表，次年 5 月底前交付年度汇算清缴报告');
    await pv.page.getByRole('button', { name: '发送给企业' }).click();
    await done(pv.page, '协议（第 2 版）已发送给企业。企业确认后生成正式协议书；退回的，可以修改后再次发送。');

    // The enterprise confirms: the formal PDF is made; both download it.
    await ent.page.reload();
    await expect(ent.page.getByText('每月 15 日前交付月度报表').first()).toBeVisible();
    await ent.page.getByRole('button', { name: '确认并生成正式协议书' }).click();
    await ent.page.getByRole('dialog', { name: '确认协议' }).getByRole('button', { name: '确认生成' }).click();
    await done(ent.page, '协议已确认，正式协议书已生成，可随时下载。请托管合同款，托管后项目开始实施。');
    await expect(ent.page.getByText('第 2 版').first()).toBeVisible();
    await shoot(ent.page, 'agreement-confirmed');
    await downloadPdf(ent.page, ent.page.getByRole('link', { name: '下载正式协议书' }), agreementNo);
    await pv.page.goto('/account/agreements');
    await downloadPdf(pv.page, pv.page.getByRole('link', { name: named('正式协议书', `（${agreementNo}，PDF）`) }), agreementNo);

    // Escrow by instalments: the first milestone; the wallet is short, so recharge and come back.
    await expect(ent.page.getByTestId('fund-amount')).toHaveText('¥5,000.00');
    await expect(ent.page.getByText('还差 ¥5,000.00')).toBeVisible();
    await ent.page.getByRole('link', { name: '去充值' }).click();
    await expect(ent.page).toHaveURL(/\/wallet\/recharge\?returnTo=/);
    await payOnline(ent.page, '12000');
    await ent.page.getByRole('link', { name: '返回上一页' }).click();
    await expect(ent.page).toHaveURL(agreementUrl);
    await ent.page.getByRole('button', { name: '托管合同款' }).click();
    await ent.page.getByRole('dialog', { name: '托管合同款' }).getByRole('button', { name: '确认托管' }).click();
    await done(ent.page, '已托管合同款 ¥5,000.00，项目进入实施。需求保证金 ¥200.00 已全额退回钱包。');
    await shoot(ent.page, 'agreement-funded');
    // Instalments: the second milestone is paid only after the first is accepted.
    await expect(ent.page.getByRole('button', { name: '托管合同款' })).toHaveCount(0);
    await expect(ent.page.getByTestId('fund-amount')).toHaveCount(0);

    // Milestone 1: delivered by the provider, accepted by the enterprise (paid at once: per milestone).
    await pv.page.goto(agreementUrl);
    const pm1 = pv.page.getByTestId('milestone').filter({ hasText: '建账与首月申报' });
    await pm1.getByRole('button', { name: '提交交付' }).click();
    const deliver1 = pv.page.getByRole('dialog', { name: '提交交付：建账与首月申报' });
    await deliver1.getByLabel('交付说明').fill('已完成建账，首月增值税与附加税申报已提交。');
    await deliver1.getByRole('button', { name: '确认提交' }).click();
    await done(pv.page, '交付已提交，企业会收到站内信，5 个工作日内验收或退回。');
    await expect(pm1.getByTestId('auto-accept')).toBeVisible();
    await shoot(pv.page, 'agreement-delivered');

    await ent.page.reload();
    const em1 = ent.page.getByTestId('milestone').filter({ hasText: '建账与首月申报' });
    await expect(em1).toContainText('已完成建账，首月增值税与附加税申报已提交。');
    await em1.getByRole('button', { name: '验收通过' }).click();
    await ent.page.getByRole('dialog', { name: '验收通过：建账与首月申报' }).getByRole('button', { name: '确认验收' }).click();
    await done(ent.page, '里程碑「建账与首月申报」已验收，合同款已支付给服务机构。');
    await shoot(ent.page, 'agreement-milestone1-accepted');

    // Milestone 2: funded from what is left in the wallet, delivered, accepted: the project is completed.
    await expect(ent.page.getByTestId('fund-amount')).toHaveText('¥7,000.00');
    await ent.page.getByRole('button', { name: '托管合同款' }).click();
    await ent.page.getByRole('dialog', { name: '托管合同款' }).getByRole('button', { name: '确认托管' }).click();
    await done(ent.page, '已托管合同款 ¥7,000.00，项目进入实施。');

    await pv.page.reload();
    const pm2 = pv.page.getByTestId('milestone').filter({ hasText: '全年记账与汇算清缴' });
    await pm2.getByRole('button', { name: '提交交付' }).click();
    const deliver2 = pv.page.getByRole('dialog', { name: '提交交付：全年记账与汇算清缴' });
    await deliver2.getByLabel('交付说明').fill('全年报表与汇算清缴报告已交付。');
    await deliver2.getByRole('button', { name: '确认提交' }).click();
    await done(pv.page, '交付已提交，企业会收到站内信，5 个工作日内验收或退回。');

    await ent.page.reload();
    await ent.page.getByTestId('milestone').filter({ hasText: '全年记账与汇算清缴' }).getByRole('button', { name: '验收通过' }).click();
    await ent.page.getByRole('dialog', { name: '验收通过：全年记账与汇算清缴' }).getByRole('button', { name: '确认验收' }).click();
    await done(ent.page, '全部里程碑已验收，合同款已支付给服务机构，项目完成。欢迎对服务机构进行评价。');
    await expect(ent.page.getByText('已完成').first()).toBeVisible();
    await shoot(ent.page, 'agreement-completed');

    // Both sides rate each other once.
    async function rate(p: Page, stars: Record<string, number>, body: string) {
      for (const [aspect, n] of Object.entries(stars)) {
        await p
          .locator('label')
          .filter({ has: p.getByRole('radio', { name: `${aspect} ${n} 星` }) })
          .click();
      }
      await p.getByLabel('评价内容（选填）').fill(body);
      await p.getByRole('button', { name: '提交评价' }).click();
      await done(p, '评价已提交，感谢您的反馈。');
    }
    await rate(ent.page, { 服务质量: 5, 及时性: 4, 沟通: 5 }, '账务清晰，申报及时。');
    await pv.page.reload();
    await rate(pv.page, { 服务质量: 5, 及时性: 5, 沟通: 5 }, '票据提供及时，配合顺畅。');
    await expect(pv.page.getByTestId('review')).toHaveCount(2);
    await shoot(pv.page, 'agreement-reviewed');

    // After-sales within 30 days of completion: the agreement reads 售后处理中, not 已生效 or 已完成.
    await ent.page.reload();
    await ent.page.getByRole('button', { name: '申请售后' }).click();
    const caseDialog = ent.page.getByRole('dialog', { name: '申请售后' });
    await caseDialog.getByLabel('售后原因').fill('汇算清缴报告缺少附表，请补充。');
    await caseDialog.getByRole('button', { name: '提交售后' }).click();
    await expect(ent.page).toHaveURL(/\/account\/after-sales\//);
    await ent.page.goto(agreementUrl);
    await expect(ent.page.getByTestId('agreement-status')).toHaveText('售后处理中');
    await expect(ent.page.getByRole('link', { name: '查看售后' })).toBeVisible();
    await shoot(ent.page, 'agreement-after-sales');
    await ent.page.goto('/account/agreements');
    await expect(ent.page.getByRole('heading', { name: '我的协议', level: 1 })).toBeVisible();
    await expect(ent.page.getByRole('listitem').filter({ hasText: title })).toContainText('售后处理中');
    await shoot(ent.page, 'agreements-list');

    // The storefront shows the rating: (5 + 4 + 5) / 3.
    await ent.page.goto(`/showcase/${chengxinId}`);
    await expect(ent.page.getByLabel('评分 4.7 分，共 1 条评价').first()).toBeVisible();
    await shoot(ent.page, 'agreement-storefront-rated');
    await pv.context.close();
  });
});
