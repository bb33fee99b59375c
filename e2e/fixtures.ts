import { expect, type Page } from '@playwright/test';
import { randomInt } from 'node:crypto';
import { usccCheckCharacter } from '../core/shared/validators';

export const DEMO_PASSWORD = 'Bangfu2026';
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** A valid, random unified social credit code (GB 32100-2015 check character). */
export function newUscc(): string {
  const body = `91360702MA${Array.from({ length: 7 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')}`;
  return body + usccCheckCharacter(body);
}

/** A fresh mainland mobile that no earlier run used. */
export const newMobile = () => `13${randomInt(5, 9)}${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
export const newUsername = (prefix = 'e2e') => `${prefix}${Date.now().toString(36)}${randomInt(100, 999)}`;

/** Reads the newest 6-digit code sent to a mobile or e-mail from the sandbox outbox page, as a developer would. */
export async function readCode(page: Page, recipient: string): Promise<string> {
  const outbox = await page.context().newPage();
  try {
    for (let i = 0; i < 20; i++) {
      await outbox.goto(`/dev/outbox?recipient=${encodeURIComponent(recipient)}`);
      const row = outbox.getByTestId('outbox-row').first();
      if (await row.count()) {
        const m = (await row.innerText()).match(/验证码为\s*(\d{6})/);
        if (m) return m[1]!;
      }
      await outbox.waitForTimeout(300);
    }
    throw new Error(`no code in the outbox for ${recipient}`);
  } finally {
    await outbox.close();
  }
}

export async function loginAs(page: Page, identifier: string, password = DEMO_PASSWORD) {
  await page.goto('/login');
  await page.getByLabel('账号').fill(identifier);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

export async function logout(page: Page) {
  await page.getByRole('banner').locator('details summary').click();
  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page.getByRole('link', { name: '登录', exact: true }).first()).toBeVisible();
}
