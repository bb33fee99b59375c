import { expect, test } from '@playwright/test';
import { randomInt } from 'node:crypto';
import { named, orgOf, publishRequirement, shoot, signedIn, submitProposal, timeTravel } from './fixtures';

const CHENGXIN = '赣州诚信财税咨询有限公司';
const ZHIXING = '江西知行知识产权代理有限公司';

test.describe('live bidding room', () => {
  test('the development time hook answers only a signed-in caller', async ({ request }) => {
    const res = await request.post('/dev/time-travel', { data: { requirementId: '00000000-0000-4000-8000-000000000000', openingInSeconds: 0 } });
    expect(res.status()).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
  });

  test('waiting room → opening → second round → selection on two screens, with live chat', async ({ browser }) => {
    test.setTimeout(120_000);
    const title = `全年代理记账（竞价室）${Date.now().toString(36).slice(-4)}${randomInt(100, 999)}`;

    // Setup through the API: qinghe's requirement in the hall with two proposals, chengxin's the dearer one.
    const op = await signedIn(browser, 'operator');
    const ent = await signedIn(browser, 'qinghe', 1280);
    const pv = await signedIn(browser, 'chengxin', 390);
    const rival = await signedIn(browser, 'zhixing');
    const req = await publishRequirement(ent.context, op.context, { title, minBidders: 2 });
    await submitProposal(pv.context, req.id, 2_800_000);
    await submitProposal(rival.context, req.id, 2_600_000);
    await Promise.all([op.context.close(), rival.context.close()]);
    const chengxinId = (await orgOf(pv.context)).organisationId;

    // Four minutes before opening: the waiting room is open and the enterprise is prompted to enter.
    await timeTravel(ent.context, { requirementId: req.id, openingInSeconds: 240 });

    await ent.page.goto('/account/projects');
    await ent.page.getByRole('link', { name: named('进入待标室', `：${title}`) }).click();
    await expect(ent.page).toHaveURL(`/account/projects/${req.id}/room`);
    await expect(ent.page.getByRole('heading', { name: '待标室', exact: true })).toBeVisible();

    await pv.page.goto(`/projects/${req.id}`);
    await pv.page.getByRole('link', { name: '进入待标室' }).click();
    await expect(pv.page).toHaveURL(`/projects/${req.id}/room`);
    await expect(pv.page.getByRole('heading', { name: '待标室', exact: true })).toBeVisible();
    await expect(pv.page.getByTestId('bidder-count')).toHaveText('2');

    // Presence: the enterprise sees chengxin online (and zhixing not); chengxin sees the enterprise present.
    await expect(ent.page.getByTestId('bidder').filter({ hasText: CHENGXIN })).toContainText('在线');
    await expect(ent.page.getByTestId('bidder').filter({ hasText: ZHIXING })).toContainText('未上线');
    await expect(ent.page.getByTestId('online-count')).toHaveText(/^1/);
    await expect(pv.page.getByTestId('enterprise-presence')).toHaveText('发布企业在竞价室');
    await expect(ent.page.getByRole('alert').filter({ hasText: '可以进入竞价室' })).toBeVisible();
    await shoot(ent.page, 'room-waiting-enterprise');
    await shoot(pv.page, 'room-waiting-provider');
    await ent.page.getByRole('button', { name: '确定，进入竞价室' }).click();
    await expect(ent.page.getByRole('heading', { name: '竞价室 · 等待开标' })).toBeVisible();

    // 暂时离开: the bidder sees the enterprise go; the opening is moved to a few seconds from now and both come back.
    await ent.page.getByRole('button', { name: '暂时离开' }).click();
    await expect(ent.page).toHaveURL(`/account/projects/${req.id}`);
    await expect(pv.page.getByTestId('enterprise-presence')).toHaveText('发布企业暂未进入');
    await timeTravel(ent.context, { requirementId: req.id, openingInSeconds: 8 });
    await pv.page.getByRole('button', { name: '暂时离开' }).click();
    await expect(pv.page).toHaveURL(`/projects/${req.id}`);
    await ent.page
      .getByRole('link', { name: /进入(待标室|竞价室)/ })
      .first()
      .click();
    await pv.page
      .getByRole('link', { name: /进入(待标室|竞价室)/ })
      .first()
      .click();

    // Opening: the enterprise sees every proposal; the bidder waits for the enterprise's decision.
    await expect(ent.page.getByRole('heading', { name: '竞价室', exact: true })).toBeVisible({ timeout: 20_000 });
    await expect(pv.page.getByRole('heading', { name: '已开标，等待发布企业评选' })).toBeVisible({ timeout: 20_000 });
    const proposals = ent.page.getByTestId('proposal');
    await expect(proposals).toHaveCount(2);
    await expect(proposals.filter({ hasText: CHENGXIN })).toContainText('¥28,000.00');
    await expect(proposals.filter({ hasText: ZHIXING })).toContainText('¥26,000.00');
    await expect(pv.page.getByTestId('enterprise-presence')).toHaveText('发布企业在竞价室');
    await shoot(ent.page, 'room-bidding-enterprise');
    await shoot(pv.page, 'room-bidding-provider');

    // Live chat: the provider writes, the enterprise's open chat shows it without reloading, and back.
    await ent.page.getByRole('button', { name: `私聊 ${CHENGXIN}` }).click();
    const entChat = ent.page.getByTestId('chat-panel');
    await expect(entChat.getByRole('heading', { name: `与 ${CHENGXIN} 交谈` })).toBeVisible();
    await pv.page.getByRole('button', { name: '与发布企业交谈' }).click();
    const pvChat = pv.page.getByTestId('chat-panel');
    await pvChat.getByLabel('输入消息').fill('您好，我们可以在签约后三个工作日内启动。');
    await pvChat.getByRole('button', { name: '发送' }).click();
    await expect(entChat.getByTestId('chat-message').filter({ hasText: '您好，我们可以在签约后三个工作日内启动。' })).toBeVisible();
    await expect(pvChat.getByTestId('chat-status').last()).toHaveText('已读');
    await entChat.getByLabel('输入消息').fill('好的，请在二次竞价中给出最优报价。');
    await expect(pvChat.getByText('对方正在输入…')).toBeVisible();
    await entChat.getByRole('button', { name: '发送' }).click();
    await expect(pvChat.getByTestId('chat-message').filter({ hasText: '好的，请在二次竞价中给出最优报价。' })).toBeVisible();
    // The typing indicator goes with the message it announced (it would otherwise linger for 3.5 s).
    await expect(pvChat.getByText('对方正在输入…')).toBeHidden({ timeout: 1000 });
    await shoot(ent.page, 'room-chat-enterprise');
    await shoot(pv.page, 'room-chat-provider');
    await entChat.getByRole('button', { name: '关闭交谈' }).click();
    await pvChat.getByRole('button', { name: '关闭交谈' }).click();
    await expect(entChat).toBeHidden();

    // A second round of 5 minutes with both bidders.
    await ent.page.getByRole('button', { name: '发起二次竞价' }).click();
    const start = ent.page.getByRole('dialog', { name: '发起二次竞价' });
    await expect(start.getByRole('checkbox', { name: new RegExp(CHENGXIN) })).toBeChecked();
    await start.getByRole('button', { name: '5 分钟', exact: true }).click();
    await expect(start.getByLabel('竞价时长（分钟）')).toHaveValue('5');
    await start.getByRole('button', { name: '开始二次竞价（2 家）' }).click();
    await expect(ent.page.getByRole('heading', { name: '第 1 轮二次竞价进行中' })).toBeVisible();
    await expect(ent.page.getByRole('timer', { name: /距本轮截止 0[45]:\d\d/ })).toBeVisible();
    const participants = ent.page.getByTestId('round-participant');
    await expect(participants).toHaveCount(2);
    await expect(participants.filter({ hasText: CHENGXIN })).toContainText('尚未报价');

    // The bidder sees its own rank only; a price not low enough is refused at the field.
    await expect(pv.page.getByRole('heading', { name: '第 1 轮二次竞价', exact: true })).toBeVisible();
    // Both rooms say how many extensions the round has left.
    await expect(ent.page.getByTestId('extensions-left')).toHaveText(/剩余延时次数 \d+ \/ \d+/);
    await expect(pv.page.getByTestId('extensions-left')).toHaveText(/剩余延时次数 \d+ \/ \d+/);
    await expect(pv.page.getByTestId('my-rank')).toHaveText(/第 2 名\s*\/ 共 2 家/);
    await expect(pv.page.getByTestId('max-price')).toHaveText('¥27,720.00');
    await expect(pv.page.getByText(ZHIXING)).toHaveCount(0);
    const priceField = pv.page.getByLabel('新报价（元）');
    await priceField.fill('27900');
    await pv.page.getByRole('button', { name: '提交报价' }).click();
    await expect(pv.page.getByText('新报价须比上次报价 ¥28,000.00 至少低 ¥280.00，即不高于 ¥27,720.00')).toBeVisible();
    await expect(priceField).toHaveAttribute('aria-invalid', 'true');
    await shoot(pv.page, 'room-second-round-refused-provider');
    await priceField.fill('25000');
    await pv.page.getByRole('button', { name: '提交报价' }).click();
    await expect(pv.page.getByTestId('bid-accepted')).toContainText('报价 ¥25,000.00 已被接受');
    await expect(pv.page.getByTestId('my-rank')).toHaveText(/第 1 名\s*\/ 共 2 家/);
    await expect(priceField).not.toHaveAttribute('aria-invalid', 'true');
    // Back from standby with a clock three minutes off: the room reads the server's clock again before it counts down.
    const secondsLeft = async () => {
      const m = ((await pv.page.getByRole('timer', { name: /距本轮截止/ }).getAttribute('aria-label')) ?? '').match(/(\d\d):(\d\d)$/);
      return m ? Number(m[1]) * 60 + Number(m[2]) : -1;
    };
    const before = await secondsLeft();
    expect(before).toBeGreaterThan(200);
    await pv.page.evaluate(() => {
      const real = Date.now.bind(Date);
      Date.now = () => real() + 180_000;
      document.dispatchEvent(new Event('visibilitychange'));
    });
    // Two ticks later: uncorrected it would read about three minutes less.
    await pv.page.waitForTimeout(2500);
    await expect.poll(secondsLeft, { timeout: 10_000 }).toBeGreaterThan(before - 20);
    await expect(pv.page.getByTestId('connection')).toHaveText('已连接');
    // During the round the enterprise sees that chengxin bid, not at what price.
    await expect(participants.filter({ hasText: CHENGXIN })).toContainText('已报价 1 次');
    await expect(ent.page.getByTestId('room-hero')).not.toContainText('¥25,000.00');
    await shoot(ent.page, 'room-second-round-enterprise');
    await shoot(pv.page, 'room-second-round-provider');

    // The deadline is moved near; the server closes the round and both screens follow.
    const moved = await timeTravel(ent.context, { requirementId: req.id, roundClosesInSeconds: 2 });
    expect(moved.round).not.toBeNull();
    await expect(ent.page.getByRole('heading', { name: '竞价室', exact: true })).toBeVisible({ timeout: 15_000 });
    await expect(pv.page.getByTestId('last-round')).toContainText('第 1 轮二次竞价已结束：您的最终报价 ¥25,000.00，第 1 名 / 共 2 家', { timeout: 15_000 });
    const revised = proposals.filter({ hasText: CHENGXIN });
    await expect(revised).toContainText('¥25,000.00');
    await expect(revised).toContainText('二次竞价后');
    await shoot(ent.page, 'room-round-closed-enterprise');
    await shoot(pv.page, 'room-round-closed-provider');

    // The enterprise selects chengxin at its revised price; chengxin's screen says so.
    await ent.page.getByRole('button', { name: `选中 ${CHENGXIN}` }).click();
    const confirm = ent.page.getByRole('dialog', { name: '选中服务机构' });
    await expect(confirm).toContainText('¥25,000.00');
    await confirm.getByRole('button', { name: '确认选中' }).click();
    await expect(ent.page.getByRole('heading', { name: '已选中服务机构' })).toBeVisible();
    await expect(ent.page.getByTestId('room-hero')).toContainText(`${CHENGXIN}，成交报价 ¥25,000.00`);
    await expect(pv.page.getByRole('heading', { name: '恭喜，贵机构已被选中' })).toBeVisible();
    await expect(pv.page.getByTestId('room-hero')).toContainText('成交报价 ¥25,000.00');
    // The next step is a button, not a hint to look for it elsewhere.
    await expect(pv.page.getByTestId('room-hero').getByRole('link', { name: '起草协议' })).toHaveAttribute(
      'href',
      `/account/agreements/new?requirement=${req.id}`,
    );
    await shoot(ent.page, 'room-selected-enterprise');
    await shoot(pv.page, 'room-selected-provider');

    // The project page names the selected provider and shows the price it won at, not its proposal price.
    await ent.page.goto(`/account/projects/${req.id}`);
    await expect(ent.page.getByRole('link', { name: CHENGXIN }).first()).toHaveAttribute('href', `/showcase/${chengxinId}`);
    await expect(ent.page.getByTestId('proposal').filter({ hasText: CHENGXIN }).getByTestId('proposal-price')).toHaveText('¥25,000.00');
    // So do the provider's project page (with its 起草协议 button) and 我的投标.
    await pv.page.goto(`/projects/${req.id}`);
    await expect(pv.page.getByTestId('my-result')).toContainText('中标价 ¥25,000.00');
    await expect(pv.page.getByRole('link', { name: '起草协议' })).toBeVisible();
    await pv.page.goto('/account/bids');
    await expect(pv.page.getByRole('listitem').filter({ hasText: title }).getByTestId('bid-price')).toHaveText('¥25,000.00');
    await Promise.all([ent.context.close(), pv.context.close()]);
  });
});
