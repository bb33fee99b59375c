import { expect, test, type Page } from '@playwright/test';
import { DEMO_PASSWORD, newMobile, newUsername, phone, readCode, shoot, signedIn } from './fixtures';

/** Picks a region down to the township in the page's (only) region picker. */
async function chooseRegion(page: Page, names: [string, string, string, string]) {
  await page.getByRole('combobox', { name: '省 / 自治区 / 直辖市' }).selectOption({ label: names[0] });
  await page.getByRole('combobox', { name: '市', exact: true }).selectOption({ label: names[1] });
  await page.getByRole('combobox', { name: '区 / 县' }).selectOption({ label: names[2] });
  await page.getByRole('combobox', { name: '乡镇 / 街道' }).selectOption({ label: names[3] });
}

test('an employee who names a unit waits for its approval; the unit admin approves and makes them finance, and only then the wallet opens', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const realName = `赵${['晓燕', '建国', '丽华', '志强'][Date.now() % 4]}`;

  // An employee on a phone registers under 重庆财经职业学院, found by a keyword.
  const { context, page } = await phone(browser);
  const mobile = newMobile();
  await page.goto('/mall/register/individual');
  await page.getByLabel('用户名').fill(newUsername('yg'));
  await page.getByLabel('手机号码').fill(mobile);
  await page.getByRole('button', { name: '获取验证码' }).click();
  await expect(page.getByRole('status').filter({ hasText: '验证码已发送' })).toBeVisible();
  await page.getByLabel('短信验证码').fill(await readCode(page, mobile));
  await page.getByLabel('登录密码').fill(DEMO_PASSWORD);
  await page.getByRole('combobox', { name: '单位名称' }).fill('财经职业学院');
  await page
    .getByRole('listbox', { name: '查找到的单位' })
    .getByRole('option', { name: /重庆财经职业学院/ })
    .click();
  await page.getByLabel('真实姓名').fill(realName);
  await chooseRegion(page, ['重庆市', '市辖区', '永川区', '中山路街道']);
  await page.getByRole('checkbox', { name: /我已阅读并同意/ }).check();
  await page.getByRole('button', { name: '立即注册' }).click();
  await expect(page).toHaveURL(/\/mall\/me\?welcome=1/);
  await expect(page.getByRole('region', { name: '个人信息' })).toContainText(/重庆财经职业学院\s*（待单位审核）/);
  // Works at the unit, may not act for it: no wallet of the unit.
  await page.goto('/wallet');
  await expect(page.getByRole('heading', { name: '我的钱包' })).toHaveCount(0);

  // The unit's owner sees the pending employee on the unit console and approves.
  const admin = await signedIn(browser, 'cqcfzy');
  await admin.page.goto('/mall/unit/employees');
  await expect(admin.page.getByRole('heading', { name: '员工审核', level: 1 })).toBeVisible();
  const pending = admin.page.getByRole('list', { name: '待审核的员工' }).getByRole('listitem').filter({ hasText: realName });
  await expect(pending).toContainText(/\d{3}\*{4}\d{4}/);
  await shoot(admin.page, 'unit-employees-pending', [1280]);
  await pending.getByRole('button', { name: `确认为本单位员工：${realName}` }).click();
  await admin.page.getByRole('dialog').getByRole('button', { name: '确认', exact: true }).click();
  await expect(admin.page.getByText(`已确认 ${realName} 为本单位员工`)).toBeVisible();

  // As a plain member the wallet stays closed; made finance, it opens.
  await page.goto('/mall/me');
  await expect(page.getByRole('region', { name: '个人信息' })).toContainText(/重庆财经职业学院\s*（已确认）/);
  await page.goto('/wallet');
  await expect(page.getByRole('heading', { name: '我的钱包' })).toHaveCount(0);

  const row = admin.page.getByRole('list', { name: '本单位成员' }).getByRole('listitem').filter({ hasText: realName });
  await row.getByRole('combobox', { name: `${realName} 的角色` }).selectOption({ label: '财务人员' });
  await row.getByRole('button', { name: '保存' }).click();
  await expect(admin.page.getByText(`已将 ${realName} 的角色设为财务人员`)).toBeVisible();
  await shoot(admin.page, 'unit-employees-members', [1280]);

  await page.goto('/wallet');
  await expect(page.getByRole('heading', { name: '我的钱包' })).toBeVisible();

  await admin.context.close();
  await context.close();
});
