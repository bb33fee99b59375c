import { expect, test, type Page } from '@playwright/test';
import { randomInt } from 'node:crypto';
import sharp from 'sharp';
import { api, DEMO_PASSWORD, day, named, newMobile, newUscc, newUsername, readCode, phone, rememberSession, shoot, signedIn } from './fixtures';

/** The product both buyers choose: from 酉阳县花田乡 (500242209), so 酉阳县乡村振兴局 counts it. */
const RICE = { name: '花田贡米 5kg', priceFen: 8_800, merchant: '酉阳县花田乡贡米专业合作社' };
/** The mall's receiving account for large transfers (manual 000: 银联商务备付金账户). */
const RECEIVING_ACCOUNT_NO = '215500709';

const yuan = (fen: number) => `¥${(fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
/** The fen of a formatted amount (¥12,176.00 → 1217600). */
const fenOf = (text: string) => Math.round(Number(text.replace(/[^\d.]/g, '')) * 100);

/** Two random Han characters: the keyword an employee types to find the new unit (a retry gets another). */
function keyword() {
  const chars = '禾丰云岭青溪麦香竹韵松柏泉橙桔梅兰菊杉荷';
  const a = randomInt(chars.length);
  const b = (a + 1 + randomInt(chars.length - 1)) % chars.length;
  return chars[a]! + chars[b]!;
}

/** Picks a region down to the township in the page's (only) region picker. */
async function chooseRegion(page: Page, names: [string, string, string, string]) {
  await page.getByRole('combobox', { name: '省 / 自治区 / 直辖市' }).selectOption({ label: names[0] });
  await page.getByRole('combobox', { name: '市', exact: true }).selectOption({ label: names[1] });
  await page.getByRole('combobox', { name: '区 / 县' }).selectOption({ label: names[2] });
  await page.getByRole('combobox', { name: '乡镇 / 街道' }).selectOption({ label: names[3] });
}

/** A bank's transfer receipt as a phone photo would be: a PNG made here. */
async function receiptPng(orderNo: string, amount: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="400">
  <rect width="640" height="400" fill="#ffffff"/><rect x="16" y="16" width="608" height="368" fill="none" stroke="#b91c1c" stroke-width="3"/>
  <text x="320" y="70" font-size="30" text-anchor="middle" fill="#b91c1c" font-family="Noto Sans CJK SC, sans-serif">网上银行电子回单</text>
  <text x="48" y="140" font-size="22" font-family="Noto Sans CJK SC, sans-serif">收款户名：银联商务股份有限公司</text>
  <text x="48" y="190" font-size="22" font-family="Noto Sans CJK SC, sans-serif">收款账号：${RECEIVING_ACCOUNT_NO}</text>
  <text x="48" y="240" font-size="22" font-family="Noto Sans CJK SC, sans-serif">金额：${amount}</text>
  <text x="48" y="290" font-size="22" font-family="Noto Sans CJK SC, sans-serif">附言：消费帮扶+${orderNo}</text>
  <text x="48" y="340" font-size="22" font-family="Noto Sans CJK SC, sans-serif">交易状态：成功</text>
</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** What one run shares between the journeys below (they run in order). */
const run = {
  kw: keyword(),
  unit: { name: '', username: '' },
  /** 酉阳县乡村振兴局's total for this year before these purchases. */
  youyangBeforeFen: 0,
  individualFen: 2 * RICE.priceFen,
  bulk: { orderId: '', orderNo: '', listFen: 150 * RICE.priceFen, agreedFen: 150 * 8_000 },
};
const thisYear = () => ({ from: `${day(0).slice(0, 4)}-01-01`, to: day(0) });

test.describe.configure({ mode: 'serial' });

test.describe('consumption-assistance mall', () => {
  test('a unit registers on the desktop; an employee registers on a phone under it, buys through the cart and pays on the WeChat-like page', async ({
    browser,
  }) => {
    test.setTimeout(120_000);
    run.unit.name = `重庆${run.kw}农业发展有限公司`;
    run.unit.username = newUsername('dw');

    // The department's figure before anything is bought here (exact sums afterwards, retries included).
    const gov = await signedIn(browser, 'youyangzx');
    const before = await api<{ totals: { amountFen: number } }>(gov.context, 'GET', `/statistics/region?from=${thisYear().from}&to=${thisYear().to}`);
    run.youyangBeforeFen = before.totals.amountFen;
    await gov.context.close();

    // 单位注册 on the desktop: 市级帮扶集团 › 市政府办公厅帮扶集团, region down to the township, SMS code.
    const desk = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 800 } });
    const dp = await desk.newPage();
    const unitMobile = newMobile();
    await dp.goto('/mall/register/unit');
    await expect(dp.getByRole('heading', { name: '单位注册', level: 1 })).toBeVisible();
    await dp.getByLabel('用户名').fill(run.unit.username);
    // The radios are drawn as cards: people click the card's text.
    await dp.getByRole('radiogroup', { name: '单位属性' }).getByText('市级帮扶集团', { exact: true }).click();
    await expect(dp.getByRole('radio', { name: '市级帮扶集团' })).toBeChecked();
    await dp.getByLabel('二级帮扶单位').selectOption({ label: '市政府办公厅帮扶集团' });
    await dp.getByLabel('单位名称').fill(run.unit.name);
    await dp.getByLabel('统一社会信用代码').fill(newUscc());
    await chooseRegion(dp, ['重庆市', '市辖区', '永川区', '双石镇']);
    await dp.getByLabel('手机号码').fill(unitMobile);
    await dp.getByRole('button', { name: '获取验证码' }).click();
    await expect(dp.getByRole('status').filter({ hasText: '验证码已发送' })).toBeVisible();
    await dp.getByLabel('短信验证码').fill(await readCode(dp, unitMobile));
    await dp.getByLabel('密码', { exact: true }).fill(DEMO_PASSWORD);
    await dp.getByLabel('确认密码').fill(DEMO_PASSWORD);
    await shoot(dp, 'mall-register-unit');
    await dp.getByRole('checkbox', { name: /我已阅读并同意/ }).check();
    await dp.getByRole('button', { name: '注册单位账号' }).click();
    await expect(dp).toHaveURL(/\/mall\/me\?welcome=unit/);
    const unitInfo = dp.getByRole('region', { name: '单位信息' });
    await expect(unitInfo).toContainText(run.unit.name);
    await expect(unitInfo).toContainText('市级帮扶集团 › 市政府办公厅帮扶集团');
    await expect(unitInfo).toContainText('永川区 双石镇');
    await rememberSession(desk, run.unit.username);
    await desk.close();

    // An employee on a phone: registers under the unit, found by a keyword of its name.
    const { context, page } = await phone(browser);
    const mobile = newMobile();
    await page.goto('/mall/register/individual');
    await page.getByLabel('用户名').fill(newUsername('gr'));
    await page.getByLabel('手机号码').fill(mobile);
    await page.getByRole('button', { name: '获取验证码' }).click();
    await expect(page.getByRole('status').filter({ hasText: '验证码已发送' })).toBeVisible();
    await page.getByLabel('短信验证码').fill(await readCode(page, mobile));
    await page.getByLabel('登录密码').fill(DEMO_PASSWORD);
    await page.getByRole('combobox', { name: '单位名称' }).fill(run.kw);
    await page
      .getByRole('listbox', { name: '查找到的单位' })
      .getByRole('option', { name: new RegExp(run.unit.name) })
      .click();
    await expect(page.getByTestId('unit-chosen')).toHaveText(new RegExp(run.unit.name));
    await page.getByLabel('真实姓名').fill('王晓梅');
    await chooseRegion(page, ['重庆市', '市辖区', '永川区', '中山路街道']);
    await shoot(page, 'mall-register-individual');
    await page.getByRole('checkbox', { name: /我已阅读并同意/ }).check();
    await page.getByRole('button', { name: '立即注册' }).click();
    await expect(page).toHaveURL(/\/mall\/me\?welcome=1/);
    await expect(page.getByText('注册成功，欢迎加入消费帮扶馆！')).toBeVisible();

    // Home, search, the product.
    await page.goto('/mall');
    await expect(page.getByRole('heading', { name: '买帮扶好物，助乡村振兴' })).toBeVisible();
    await shoot(page, 'mall-home');
    await page.getByRole('searchbox', { name: '搜索商品' }).fill('贡米');
    await page.getByRole('button', { name: '搜索', exact: true }).click();
    await expect(page.getByRole('heading', { name: '“贡米”的搜索结果', level: 1 })).toBeVisible();
    await shoot(page, 'mall-search');
    await page
      .getByRole('link', { name: new RegExp(`^${RICE.name}`) })
      .first()
      .click();
    await expect(page.getByRole('heading', { name: RICE.name, level: 1 })).toBeVisible();
    await expect(page.getByTestId('product-price')).toHaveText(yuan(RICE.priceFen));
    await shoot(page, 'mall-product');

    // Two bags into the cart, then the cart.
    await page.getByRole('button', { name: '增加购买数量' }).click();
    await expect(page.getByRole('spinbutton', { name: '购买数量' })).toHaveValue('2');
    await page.getByRole('button', { name: '加入购物车' }).click();
    await expect(page.getByText('已加入购物车')).toBeVisible();
    await page.getByRole('link', { name: '购物车', exact: true }).click();
    await expect(page.getByRole('heading', { name: /^购物车/, level: 1 })).toBeVisible();
    await expect(page.getByRole('region', { name: RICE.merchant }).getByTestId('cart-line')).toContainText(RICE.name);
    await expect(page.getByTestId('cart-total')).toHaveText(yuan(run.individualFen));
    await shoot(page, 'mall-cart');

    // Checkout with a new address (it starts from the buyer's name and mobile).
    await page.getByRole('link', { name: '去结算（2）' }).click();
    await expect(page.getByRole('heading', { name: '确认订单', level: 1 })).toBeVisible();
    await expect(page.getByText('个人购买，消费计入')).toContainText(run.unit.name);
    await expect(page.getByLabel('收货人')).toHaveValue('王晓梅');
    await expect(page.getByLabel('手机号码')).toHaveValue(mobile);
    await chooseRegion(page, ['重庆市', '市辖区', '永川区', '中山路街道']);
    await page.getByLabel('详细地址').fill('中山路 8 号 2 单元 301');
    await page.getByRole('button', { name: '保存并使用' }).click();
    await expect(page.getByRole('radio', { name: /王晓梅/ })).toBeChecked();
    await expect(page.getByTestId('checkout-total')).toHaveText(yuan(run.individualFen));
    await shoot(page, 'mall-checkout');
    await page.getByRole('button', { name: '提交订单' }).click();

    // The pay page: 微信支付 on the gateway's WeChat-like sandbox page; the result turns to paid.
    await expect(page).toHaveURL(/\/mall\/pay\?orders=[0-9a-f-]{36}&placed=1/);
    await expect(page.getByText('订单已提交')).toBeVisible();
    await expect(page.getByTestId('pay-amount')).toHaveText(yuan(run.individualFen));
    await expect(page.getByRole('radio', { name: '微信支付' })).toBeChecked();
    await shoot(page, 'mall-pay-wechat');
    await page.getByRole('button', { name: `立即支付 ${yuan(run.individualFen)}` }).click();
    await expect(page).toHaveURL(/\/api\/v1\/sandbox\/bank/);
    await expect(page.getByRole('heading', { name: /微信支付/ })).toBeVisible();
    await expect(page.getByText(yuan(run.individualFen))).toBeVisible();
    await page.getByRole('button', { name: '确认付款' }).click();
    await expect(page).toHaveURL(/\/mall\/pay\/result\?payment=/);
    const result = page.getByTestId('pay-result');
    await expect(result).toHaveAttribute('data-status', 'paid', { timeout: 30_000 });
    await expect(result.getByRole('heading', { name: '支付成功' })).toBeVisible();
    await shoot(page, 'mall-pay-result');

    // The order, and 我的订单.
    await page.getByRole('link', { name: '查看订单' }).click();
    await expect(page.getByRole('heading', { name: '等待商家发货', level: 1 })).toBeVisible();
    await expect(page.getByTestId('order-total')).toHaveText(yuan(run.individualFen));
    await expect(page.getByRole('region', { name: '订单信息' })).toContainText(run.unit.name);
    await shoot(page, 'mall-order');
    await page.getByRole('link', { name: '我的订单' }).first().click();
    await expect(page.getByRole('heading', { name: '我的订单', level: 1 })).toBeVisible();
    const card = page.getByTestId('order-card').filter({ hasText: RICE.name });
    await expect(card).toHaveCount(1);
    await expect(card).toContainText('待发货');
    await expect(card).toContainText(yuan(run.individualFen));
    await shoot(page, 'mall-orders');
    await context.close();
  });

  test('bulk order: the unit asks to negotiate, the merchant reprices with a reason, the unit pays by large transfer with a receipt, the operator confirms, the merchant ships', async ({
    browser,
  }) => {
    test.setTimeout(120_000);
    const { bulk } = run;
    const reason = '已与单位电话商定：150 袋批量采购，每袋 80 元，含运费';

    // The unit orders 150 bags (¥13,200.00) with 申请议价.
    const unit = await signedIn(browser, run.unit.username);
    const up = unit.page;
    await up.goto('/mall/search?q=贡米');
    await up
      .getByRole('link', { name: new RegExp(`^${RICE.name}`) })
      .first()
      .click();
    await up.getByRole('spinbutton', { name: '购买数量' }).fill('150');
    await up.getByRole('spinbutton', { name: '购买数量' }).press('Tab');
    await up.getByRole('button', { name: '立即购买' }).click();
    await expect(up.getByRole('heading', { name: '确认订单', level: 1 })).toBeVisible();
    await expect(up.getByText('以单位账号采购：')).toContainText(run.unit.name);
    await expect(up.getByTestId('checkout-total')).toHaveText(yuan(bulk.listFen));
    await up.getByLabel('收货人').fill('李建国');
    await up.getByLabel('手机号码').fill('13983116688');
    await chooseRegion(up, ['重庆市', '市辖区', '永川区', '双石镇']);
    await up.getByLabel('详细地址').fill('双石镇工业园 6 号 综合办公室');
    await up.getByRole('button', { name: '保存并使用' }).click();
    await expect(up.getByRole('radio', { name: /李建国/ })).toBeChecked();
    await up.getByRole('checkbox', { name: /申请议价/ }).check();
    await up.getByRole('button', { name: '提交订单' }).click();
    await expect(up).toHaveURL(/\/mall\/pay\?orders=[0-9a-f-]{36}&placed=bulk/);
    bulk.orderId = new URL(up.url()).searchParams.get('orders')!;
    await expect(up.getByText('已申请议价，请等待商家改价')).toBeVisible();
    await shoot(up, 'mall-pay-bulk-placed');
    await up.goto(`/mall/orders/${bulk.orderId}`);
    await expect(up.getByRole('heading', { name: '等待商家改价', level: 1 })).toBeVisible();
    bulk.orderNo = (
      await up
        .getByRole('region', { name: '订单信息' })
        .getByText(/^MO\d{18}$/)
        .first()
        .innerText()
    ).trim();

    // The merchant of the product reprices it in its console, with a reason.
    const shop = await signedIn(browser, 'huatian');
    const sp = shop.page;
    await sp.goto('/mall/merchant/orders');
    await expect(sp.getByRole('heading', { name: '订单管理', level: 1 })).toBeVisible();
    await shoot(sp, 'mall-merchant-orders');
    await sp.getByRole('link', { name: named('改价', `：订单 ${bulk.orderNo}`) }).click();
    await expect(sp.getByRole('heading', { name: `订单 ${bulk.orderNo}`, level: 1 })).toBeVisible();
    await sp.getByRole('button', { name: '改价', exact: true }).click();
    const dialog = sp.getByRole('dialog', { name: '修改订单价格' });
    await dialog.getByLabel(`${RICE.name} 新单价（元）`).fill('80');
    await expect(dialog.getByTestId('new-total')).toContainText(yuan(bulk.agreedFen));
    await expect(dialog.getByTestId('new-total')).toContainText(`减少 ${yuan(bulk.listFen - bulk.agreedFen)}`);
    await dialog.getByLabel('改价原因').fill(reason);
    await dialog.getByRole('button', { name: '确认改价' }).click();
    await expect(sp.getByText(`价格已由 ${yuan(bulk.listFen)} 改为 ${yuan(bulk.agreedFen)}，买家会收到站内信，确认后即可付款`)).toBeVisible();
    await shoot(sp, 'mall-merchant-order-repriced');

    // The unit sees the new total and the reason in the order's history.
    await up.goto('/mall/orders');
    const card = up.getByTestId('order-card').filter({ hasText: RICE.name });
    await expect(card).toContainText('商家已改价，请确认后付款');
    await card.getByRole('link', { name: '查看详情' }).click();
    await expect(up.getByRole('heading', { name: '商家已改价，请确认后付款', level: 1 })).toBeVisible();
    await expect(up.getByTestId('order-total')).toHaveText(yuan(bulk.agreedFen));
    const history = up.getByRole('region', { name: '订单动态' });
    await expect(history).toContainText(`商家改价：${yuan(bulk.listFen)} → ${yuan(bulk.agreedFen)}`);
    await expect(history).toContainText(`原因：${reason}`);
    await shoot(up, 'mall-order-repriced');

    // 大额支付: the receiving account and the exact note, then the receipt.
    await up.getByRole('link', { name: '去支付 / 上传凭证' }).click();
    await expect(up.getByTestId('pay-amount')).toHaveText(yuan(bulk.agreedFen));
    await expect(up.getByRole('radio', { name: '对公支付' })).toBeChecked();
    await up.getByRole('radio', { name: '中国工商银行' }).check();
    await shoot(up, 'mall-pay-corporate');
    await up.getByRole('radio', { name: '大额支付' }).check();
    const remit = up.getByTestId('remittance');
    await expect(remit.getByTestId('remit-account')).toHaveText(RECEIVING_ACCOUNT_NO);
    await expect(remit).toContainText('银联商务股份有限公司');
    await expect(remit).toContainText(yuan(bulk.agreedFen));
    await expect(remit.getByTestId('remit-note')).toHaveText(`消费帮扶+${bulk.orderNo}`);
    await shoot(up, 'mall-pay-transfer');
    const receipt = up.locator('form').filter({ has: up.getByRole('heading', { name: '上传转账凭证' }) });
    await expect(receipt.getByLabel('付款账户名称')).toHaveValue(run.unit.name);
    await receipt
      .getByLabel('添加附件')
      .setInputFiles({ name: '网银回单.png', mimeType: 'image/png', buffer: await receiptPng(bulk.orderNo, yuan(bulk.agreedFen)) });
    await expect(receipt.getByRole('link', { name: '网银回单.png' })).toBeVisible();
    await receipt.getByRole('button', { name: '提交转账凭证' }).click();
    await expect(up.getByText('转账凭证已提交，等待平台确认到账')).toBeVisible();
    await up.goto(`/mall/orders/${bulk.orderId}`);
    await expect(up.getByRole('heading', { name: '等待平台确认到账', level: 1 })).toBeVisible();

    // The operator checks the receipt and confirms.
    const op = await signedIn(browser, 'operator');
    await op.page.goto('/admin/mall/transfers');
    const row = op.page.getByRole('listitem').filter({ hasText: `订单号 ${bulk.orderNo}` });
    await expect(row).toContainText(yuan(bulk.agreedFen));
    await expect(row).toContainText(`消费帮扶+${bulk.orderNo}`);
    await expect(row.getByRole('img', { name: `转账凭证：订单 ${bulk.orderNo}` })).toBeVisible();
    await shoot(op.page, 'mall-admin-transfers');
    await row.getByRole('button', { name: `确认到账：订单 ${bulk.orderNo}` }).click();
    await op.page.getByRole('dialog', { name: '确认到账' }).getByRole('button', { name: '确认已到账' }).click();
    await expect(op.page.getByText(`已确认到账 ${yuan(bulk.agreedFen)}（${bulk.orderNo}），订单已付款，商家和买家会收到通知`)).toBeVisible();
    await op.context.close();

    // 待发货 for the unit.
    await up.reload();
    await expect(up.getByRole('heading', { name: '等待商家发货', level: 1 })).toBeVisible();
    await expect(up.getByRole('region', { name: RICE.merchant })).toContainText('待发货');

    // The merchant ships.
    await sp.reload();
    await sp.getByRole('button', { name: '发货', exact: true }).click();
    const ship = sp.getByRole('dialog', { name: '发货', exact: true });
    await ship.getByLabel('物流公司').fill('顺丰速运');
    await ship.getByLabel('运单号').fill('SF1402379865');
    await ship.getByRole('button', { name: '确认发货' }).click();
    await expect(sp.getByText('已发货（顺丰速运 SF1402379865），买家会收到站内信')).toBeVisible();
    await shop.context.close();

    await up.reload();
    await expect(up.getByRole('heading', { name: '商家已发货', level: 1 })).toBeVisible();
    await unit.context.close();
  });

  test('statistics with charts: the unit admin sees its employee and its bulk order and exports a spreadsheet; 酉阳县乡村振兴局 counts the rice from 花田乡', async ({
    browser,
  }) => {
    const unitTotal = run.individualFen + run.bulk.agreedFen;

    const unit = await signedIn(browser, run.unit.username, 390);
    const up = unit.page;
    await up.goto('/mall/unit');
    await expect(up.getByRole('heading', { name: '单位员工消费统计', level: 1 })).toBeVisible();
    const totals = up.getByRole('list', { name: /^汇总/ });
    const stat = (label: string) => totals.getByRole('listitem').filter({ hasText: new RegExp(`^${label}`) });
    await expect(stat('消费总额')).toContainText(yuan(unitTotal));
    await expect(stat('员工消费')).toContainText(yuan(run.individualFen));
    await expect(stat('员工消费')).toContainText('1 名员工');
    await expect(stat('单位采购')).toContainText(yuan(run.bulk.agreedFen));
    await expect(stat('单位采购')).toContainText('1 笔订单');
    await expect(up.getByRole('img', { name: /员工消费与单位采购金额柱状图/ }).locator('canvas')).toBeVisible();
    await expect(up.getByRole('row').filter({ hasText: '王晓梅' })).toContainText(yuan(run.individualFen));
    const xlsx = await up.request.get((await up.getByRole('link', { name: '导出 Excel' }).getAttribute('href'))!);
    expect(xlsx.status()).toBe(200);
    expect(xlsx.headers()['content-type']).toContain('spreadsheetml');
    expect(xlsx.headers()['content-disposition']).toMatch(/^attachment/);
    expect((await xlsx.body()).subarray(0, 2).toString('latin1')).toBe('PK');
    await shoot(up, 'mall-unit-stats');
    await unit.context.close();

    const gov = await signedIn(browser, 'youyangzx', 390);
    const gp = gov.page;
    await gp.goto('/mall/stats');
    await expect(gp.getByRole('heading', { name: '所辖区域消费统计', level: 1 })).toBeVisible();
    const amount = gp
      .getByRole('list', { name: /^汇总/ })
      .getByRole('listitem')
      .filter({ hasText: /^消费金额/ });
    await expect(amount).toContainText(yuan(run.youyangBeforeFen + unitTotal));
    await expect(gp.getByRole('img', { name: /消费金额折线图/ }).locator('canvas')).toBeVisible();
    await expect(
      gp
        .getByRole('table', { name: /按乡镇/ })
        .getByRole('row')
        .filter({ hasText: '花田乡' }),
    ).toBeVisible();
    expect(
      fenOf(
        await gp
          .getByRole('table', { name: /按乡镇/ })
          .getByRole('row')
          .filter({ hasText: '花田乡' })
          .getByRole('cell')
          .nth(2)
          .innerText(),
      ),
    ).toBeGreaterThanOrEqual(unitTotal);
    await shoot(gp, 'mall-dept-stats');
    await gov.context.close();
  });
});
