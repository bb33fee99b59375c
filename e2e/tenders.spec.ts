import { expect, test } from '@playwright/test';
import { randomInt } from 'node:crypto';
import { day, named, orgOf, payOnline, publishRequirement, registerEnterprise, rememberSession, shoot, signedIn } from './fixtures';

/** A unique suffix, so each run's requirements are told apart in the hall and the lists. */
const tag = () => `${Date.now().toString(36).slice(-4)}${randomInt(100, 999)}`;
/** "YYYY-MM-DDTHH:mm" in Beijing time, `days` from now (the value of a datetime-local input). */
const shanghaiLocal = (days: number) => new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 16);

test.describe('marketplace: requirements, proposals and invitations', () => {
  test('a new enterprise publishes with an empty wallet, recharges, publishes; the operator approves; a provider bids; 我的项目 shows the bidder and the countdown', async ({
    page,
    browser,
  }) => {
    const title = `年度代理记账与纳税申报 ${tag()}`;
    const company = `赣州市章贡区测试科技有限公司${tag()}`;
    const { username } = await registerEnterprise(page, company);
    await rememberSession(page.context(), username);

    // The requirement form: rich text, category, region, budget, competitive with an opening time two days ahead.
    await page.goto('/account/projects');
    await page.getByRole('link', { name: '发布需求' }).first().click();
    await expect(page.getByRole('heading', { name: '发布需求', level: 1 })).toBeVisible();
    await expect(page.getByLabel('企业全称')).toHaveValue(company);
    await page.getByLabel('需求标题').fill(title);
    await page.getByLabel('服务类别').selectOption({ label: '代理记账' });
    const editor = page.getByRole('textbox', { name: '需求描述' });
    await editor.click();
    await page.keyboard.type('我公司为小规模纳税人，需要以下服务：');
    await page.keyboard.press('Enter');
    await page.getByRole('toolbar', { name: '需求描述格式' }).getByRole('button', { name: '无序列表' }).click();
    await page.keyboard.type('全年代理记账与月度纳税申报');
    await page.keyboard.press('Enter');
    await page.keyboard.type('年度企业所得税汇算清缴');
    await page.getByLabel('预算下限（元）').fill('20000');
    await page.getByLabel('预算上限（元）').fill('36000');
    await page.getByLabel('期望交付日期').fill(day(60));
    await page.getByRole('combobox', { name: '省 / 自治区 / 直辖市' }).selectOption({ label: '江西省' });
    await page.getByRole('combobox', { name: '市', exact: true }).selectOption({ label: '赣州市' });
    await page.getByRole('combobox', { name: '区 / 县' }).selectOption({ label: '章贡区' });
    await expect(page.getByRole('radio', { name: /竞标/ })).toBeChecked();
    await page.getByLabel('开标时间').fill(shanghaiLocal(2));
    await page.getByLabel('最低投标机构数').selectOption('1');
    await expect(page.getByText('余额不足以缴纳保证金')).toBeVisible();
    await shoot(page, 'tenders-requirement-form');

    // Publishing with an empty wallet keeps the draft and sends the person to recharge.
    await page.getByRole('button', { name: '发布（缴纳保证金 ¥200.00）' }).click();
    await expect(page).toHaveURL(/\/account\/projects\/[0-9a-f-]{36}\/edit$/);
    await expect(page.getByText('草稿已保存，但未能发布：钱包可用余额 ¥0.00，缴纳保证金 ¥200.00 还差 ¥200.00，请先充值')).toBeVisible();
    const id = page.url().match(/projects\/([0-9a-f-]{36})\/edit/)![1]!;
    await page.getByRole('link', { name: '去充值' }).first().click();
    await expect(page).toHaveURL(/\/wallet\/recharge\?returnTo=/);
    await expect(page.getByText('充值成功后，可以点击「返回继续发布」回到刚才的页面。')).toBeVisible();
    await payOnline(page, '500');
    await page.getByRole('link', { name: '返回继续发布' }).click();

    // Back on the draft, everything typed is still there; publishing now pays the deposit.
    await expect(page).toHaveURL(`/account/projects/${id}/edit`);
    await expect(page.getByLabel('需求标题')).toHaveValue(title);
    await expect(page.getByRole('definition').filter({ hasText: /^¥500\.00$/ })).toBeVisible();
    await page.getByRole('button', { name: '发布（缴纳保证金 ¥200.00）' }).click();
    await expect(page).toHaveURL(`/account/projects/${id}`);
    await expect(page.getByText('需求已发布，保证金已缴纳，等待平台审核。审核结果会以站内信通知您。')).toBeVisible();
    const deposit = page.locator('section').filter({ has: page.getByRole('heading', { name: '保证金', exact: true }) });
    await expect(deposit).toContainText('¥200.00');
    await expect(deposit).toContainText('平台托管中');
    await expect(page.getByText('待审核').first()).toBeVisible();

    // The operator approves it.
    const op = await signedIn(browser, 'operator');
    await op.page.goto('/admin/requirements');
    await op.page.getByRole('link', { name: named('审核', `：${title}`) }).click();
    await expect(op.page.getByRole('heading', { name: title, level: 1 })).toBeVisible();
    await op.page.getByRole('button', { name: '通过', exact: true }).click();
    await expect(op.page.getByText('已通过审核，需求已在项目大厅公布，企业会收到站内信。')).toBeVisible();
    await op.context.close();

    // Before any proposal the enterprise sets the second-round rules on its project page.
    await page.reload();
    const rulesForm = page.getByRole('form', { name: '二次竞价规则' });
    await expect(rulesForm.getByText('规则在第一份方案提交后固定，之后不能再修改。')).toBeVisible();
    await expect(rulesForm.getByRole('radio', { name: /仅本轮新低价/ })).toBeChecked();
    // A refused value is named under its field, in Chinese, and nothing is saved.
    await rulesForm.getByLabel('最多延时次数').fill('80');
    await rulesForm.getByRole('button', { name: '保存规则' }).click();
    await expect(rulesForm.getByText('最多延时次数为 0–50')).toBeVisible();
    await expect(rulesForm.getByLabel('最多延时次数')).toHaveAttribute('aria-invalid', 'true');
    await shoot(page, 'tenders-room-rules-refused');
    await rulesForm.getByLabel('最多延时次数').fill('5');
    await rulesForm.getByRole('radio', { name: /任何有效报价/ }).check();
    await rulesForm.getByRole('button', { name: '保存规则' }).click();
    await expect(page.getByText('二次竞价规则已保存，服务机构投标前即可看到。')).toBeVisible();
    await expect(rulesForm.getByLabel('最多延时次数')).toHaveValue('5');
    await expect(rulesForm.getByRole('radio', { name: /任何有效报价/ })).toBeChecked();
    await shoot(page, 'tenders-room-rules-form');

    // A provider finds it in the project hall and submits a proposal.
    const pv = await signedIn(browser, 'chengxin');
    await pv.page.goto('/projects');
    await pv.page.getByRole('searchbox', { name: '搜索项目' }).fill(title);
    await pv.page.getByRole('button', { name: '搜索', exact: true }).click();
    // Once the search is in force its chip (移除条件：搜索：<title>) is a link too: wait for it, then take the card's.
    await expect(pv.page.getByRole('link', { name: `移除条件：搜索：${title}` })).toBeVisible();
    await pv.page.getByRole('link', { name: title, exact: true }).click();
    await expect(pv.page.getByRole('heading', { name: title, level: 1 })).toBeVisible();
    // The description keeps its list.
    await expect(pv.page.getByRole('listitem').filter({ hasText: '年度企业所得税汇算清缴' })).toBeVisible();
    await expect(pv.page.getByTestId('bidder-count')).toContainText('0');
    // The rules the enterprise set are public before anyone proposes.
    const publicRules = pv.page.getByTestId('room-rules');
    await expect(publicRules).toContainText('最多延时 5 次');
    await expect(publicRules).toContainText('有新报价');
    await pv.page.getByRole('link', { name: '我要投标' }).click();
    const form = pv.page.getByRole('form', { name: '投标' });
    await form.getByLabel('报价（元）').fill('26800');
    await form.getByLabel('服务周期').fill('签约后 3 个工作日内启动，服务期 12 个月');
    await form.getByLabel('服务方案').fill('注册会计师带队，每月 5 日前上门收取票据，15 日前完成申报，季度末出具经营分析报告。');
    await form.getByRole('button', { name: '提交标书' }).click();
    await expect(pv.page.getByText('标书已提交，开标前可以修改或撤回')).toBeVisible();
    await expect(pv.page.getByTestId('my-proposal')).toContainText('¥26,800.00');
    await expect(pv.page.getByTestId('bidder-count')).toContainText('1');
    await expect(pv.page.getByRole('link', { name: '进入待标室' })).toBeVisible();
    await shoot(pv.page, 'tenders-requirement-bid');
    await pv.context.close();

    // With a proposal in, the rules are fixed: the form gives way to the read-only card.
    await page.goto(`/account/projects/${id}`);
    await expect(page.getByRole('form', { name: '二次竞价规则' })).toHaveCount(0);
    const frozenRules = page.getByRole('region', { name: '二次竞价规则' });
    await expect(frozenRules.getByTestId('rules-frozen')).toHaveText('已有服务机构提交方案，以上规则已固定，不能再修改。');
    await expect(frozenRules).toContainText('最多延时 5 次');
    await shoot(page, 'tenders-room-rules-frozen');

    // 我的项目: one bidder, and the countdown to opening.
    await page.goto('/account/projects');
    const item = page.getByRole('article', { name: title });
    await expect(item).toContainText('投标机构 1 家（最低 1 家）');
    await expect(item.getByTestId('opening-countdown')).toHaveText(/距开标\s*\d+ 天/);
    await expect(item.getByRole('link', { name: named('进入待标室', `：${title}`) })).toBeVisible();
    await shoot(page, 'tenders-my-projects');
  });

  test('invitation: xitu invites a provider from the showcase hall, the provider accepts, both write in the negotiation', async ({ browser }) => {
    const title = `农产品礼盒包装设计 ${tag()}`;
    const ent = await signedIn(browser, 'xitu');
    const op = await signedIn(browser, 'operator');
    const req = await publishRequirement(ent.context, op.context, { title, categoryCode: 'design.02', mode: 'invitation' });
    await op.context.close();

    // From the showcase hall: find the provider and invite it to this requirement.
    await ent.page.goto('/showcase');
    await ent.page.getByRole('searchbox', { name: '搜索服务机构' }).fill('创想');
    await ent.page.getByRole('button', { name: '搜索', exact: true }).click();
    await expect(ent.page).toHaveURL(/[?&]q=%E5%88%9B%E6%83%B3/);
    await ent.page.getByRole('button', { name: '邀请 赣州创想品牌设计工作室' }).click();
    const dialog = ent.page.getByRole('dialog', { name: '邀请参与项目' });
    await dialog.getByRole('radio', { name: new RegExp(title) }).check();
    await dialog.getByLabel('附言（选填）').fill('看过贵工作室的农产品包装案例，诚邀洽谈。');
    await shoot(ent.page, 'tenders-invite-dialog');
    await dialog.getByRole('button', { name: '发送邀请' }).click();
    await expect(ent.page.getByText('已向 赣州创想品牌设计工作室 发出邀请')).toBeVisible();
    await expect(dialog).toBeHidden();

    // The provider accepts at 收到的邀请 and writes first.
    const pv = await signedIn(browser, 'chuangxiang', 390);
    const providerId = (await orgOf(pv.context)).organisationId;
    await pv.page.goto('/account/invitations');
    const invitation = pv.page.getByTestId('invitation').filter({ hasText: title });
    await expect(invitation).toContainText('看过贵工作室的农产品包装案例，诚邀洽谈。');
    await invitation
      .getByRole('group', { name: `回复「${title}」的邀请` })
      .getByRole('button', { name: '接受' })
      .click();
    await expect(pv.page.getByText(`已接受「${title}」的邀请，可以与企业洽谈了`)).toBeVisible();
    await shoot(pv.page, 'tenders-invitations');
    await invitation.getByRole('link', { name: '洽谈' }).click();
    await expect(pv.page).toHaveURL(`/account/negotiations/${req.id}/${providerId}`);
    await pv.page.getByLabel('消息内容').fill('您好，请问礼盒需要几个规格？我们可以先出两版草图。');
    await pv.page.getByRole('button', { name: '发送', exact: true }).click();
    await expect(pv.page.getByRole('region', { name: '洽谈消息' }).getByText('您好，请问礼盒需要几个规格？我们可以先出两版草图。')).toBeVisible();

    // The enterprise sees the acceptance on its project and answers in the same thread.
    await ent.page.goto(`/account/projects/${req.id}`);
    const invited = ent.page.getByTestId('invitation').filter({ hasText: '赣州创想品牌设计工作室' });
    await expect(invited).toContainText('已接受');
    await invited.getByRole('link', { name: named('洽谈', '：赣州创想品牌设计工作室') }).click();
    const thread = ent.page.getByRole('region', { name: '洽谈消息' });
    await expect(thread.getByText('您好，请问礼盒需要几个规格？我们可以先出两版草图。')).toBeVisible();
    await ent.page.getByLabel('消息内容').fill('两个规格：六瓶装和十二瓶装，请先出草图。');
    await ent.page.getByRole('button', { name: '发送', exact: true }).click();
    await expect(thread.getByText('两个规格：六瓶装和十二瓶装，请先出草图。')).toBeVisible();
    await shoot(ent.page, 'tenders-negotiation');

    await pv.page.getByRole('button', { name: '刷新消息' }).click();
    await expect(pv.page.getByRole('region', { name: '洽谈消息' }).getByText('两个规格：六瓶装和十二瓶装，请先出草图。')).toBeVisible();
    await ent.context.close();
    await pv.context.close();
  });

  test('the hall, a requirement, a storefront, the showcase hall and 我的项目 at 390 and 1280 px: no sideways scroll, no console errors', async ({
    page,
    browser,
  }) => {
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto('/projects');
    await expect(page.getByRole('heading', { name: '项目大厅', level: 1 })).toBeVisible();
    await shoot(page, 'tenders-hall');

    await page.getByRole('link', { name: '年度代理记账与税务申报服务' }).first().click();
    await expect(page.getByRole('heading', { name: '年度代理记账与税务申报服务', level: 1 })).toBeVisible();
    await expect(page.getByTestId('bidder-count')).toContainText('2');
    await shoot(page, 'tenders-requirement');

    await page.goto('/showcase');
    await expect(page.getByRole('heading', { name: '展示大厅', level: 1 })).toBeVisible();
    await shoot(page, 'tenders-showcase');

    await page.getByRole('link', { name: '赣州诚信财税咨询有限公司' }).first().click();
    await expect(page.getByRole('heading', { name: '赣州诚信财税咨询有限公司', level: 1 })).toBeVisible();
    await expect(page.getByRole('heading', { name: '小规模纳税人代理记账' })).toBeVisible();
    await shoot(page, 'tenders-storefront');
    expect(errors).toEqual([]);

    const ent = await signedIn(browser, 'xitu');
    const entErrors: string[] = [];
    ent.page.on('pageerror', (e) => entErrors.push(e.message));
    await ent.page.goto('/account/projects');
    await expect(ent.page.getByRole('heading', { name: '我的项目', level: 1 })).toBeVisible();
    await expect(ent.page.getByRole('article', { name: 'ISO 9001 质量管理体系认证咨询' })).toContainText('待审核');
    await shoot(ent.page, 'tenders-my-projects-demo');
    expect(entErrors).toEqual([]);
    await ent.context.close();
  });
});
