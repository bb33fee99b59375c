import { AxeBuilder } from '@axe-core/playwright';
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import axeCore from 'axe-core';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
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

/** Reads the micro-deposit the sandbox bank texted for the account ending in `last4`, from the dev outbox. */
export async function readMicroDeposit(page: Page, last4: string): Promise<string> {
  const outbox = await page.context().newPage();
  try {
    for (let i = 0; i < 20; i++) {
      await outbox.goto('/dev/outbox');
      const row = outbox
        .getByTestId('outbox-row')
        .filter({ hasText: `尾号${last4}的账户收到帮扶平台转账` })
        .first();
      if (await row.count()) {
        const m = (await row.innerText()).match(/转账\s*¥(0\.\d{2})/);
        if (m) return m[1]!;
      }
      await outbox.waitForTimeout(300);
    }
    throw new Error(`no micro-deposit text for ${last4}`);
  } finally {
    await outbox.close();
  }
}

/**
 * Makes page.goto and page.reload wait until the app has hydrated (the root layout marks <html
 * data-hydrated>): typed input before hydration can be reset by it, as a person typing on a slow phone
 * would find; a journey types as soon as the page is loaded. Done once per page.
 */
function awaitHydration(page: Page): Page {
  const marked = page as Page & { hydrationAwaited?: true };
  if (marked.hydrationAwaited) return page;
  marked.hydrationAwaited = true;
  const settle = () =>
    page
      // Only the app's own pages (not a download, the API reference or JSON) carry SvelteKit's body attribute.
      .waitForFunction(() => !document.body?.hasAttribute('data-sveltekit-preload-data') || document.documentElement.hasAttribute('data-hydrated'), undefined, {
        timeout: 15_000,
      })
      .catch(() => {});
  const goto = page.goto.bind(page);
  const reload = page.reload.bind(page);
  page.goto = async (...args) => {
    const response = await goto(...args);
    await settle();
    await expectAccessible(page, 'after page.goto');
    return response;
  };
  page.reload = async (...args) => {
    const response = await reload(...args);
    await settle();
    await expectAccessible(page, 'after page.reload');
    return response;
  };
  return page;
}

/**
 * WCAG 2.0/2.1 level A and AA rules, plus the experimental one that a control's name contains its visible
 * text (see README, Tests). Not `target-size` (WCAG 2.2): it doubled a check's time; the tap targets are
 * sized in the shared components instead.
 */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const AXE_EXTRA_RULES = ['label-content-name-mismatch'];
const FAILING_IMPACTS = new Set(['serious', 'critical']);
/** Page states already checked in this run (one worker per run or shard): path pattern + visible state. */
const axeChecked = new Set<string>();
/** What the checks cost this run (test-results/axe-time-<shard>.json), to keep them a small part of the journeys' time. */
const axeTime = { checks: 0, ms: 0 };

/**
 * A key for "this page in this state": the path with its ids (uuids, order numbers, any segment with a
 * digit) folded, and which of the states that change what is on the screen are showing: an open dialog
 * or menu, field errors, an alert. The same page with other data (another requirement, a longer list) or
 * at the other width has the same key and is checked once: the rules checked (contrast, names, ARIA,
 * structure) read the same markup at both widths, and each check costs about a second.
 */
async function pageStateKey(page: Page): Promise<string | null> {
  const url = new URL(page.url());
  const path = url.pathname
    .split('/')
    .map((seg) => (/\d/.test(seg) && seg.length > 2 ? ':id' : seg))
    .join('/');
  const state = await page
    .evaluate(() => {
      // Only the app's own pages (SvelteKit's body attribute): not a download, the API reference or JSON.
      if (!document.body?.hasAttribute('data-sveltekit-preload-data')) return null;
      const states = {
        dialog: 'dialog[open], [role="dialog"], [role="alertdialog"]',
        open: 'details[open], [aria-expanded="true"]',
        invalid: '[aria-invalid="true"]',
        alert: '[role="alert"], [role="status"]:not(:empty), [data-sonner-toast]',
      };
      return Object.entries(states)
        .filter(([, selector]) => document.querySelector(selector))
        .map(([name]) => name)
        .join('+');
    })
    .catch(() => null);
  return state === null ? null : `${path} ${state}`;
}

/**
 * Checks the page as it is now with axe-core (WCAG 2.1 A and AA) once per page state per run, and fails
 * the journey on a serious or critical violation with the rule, its impact, the elements' selectors and
 * the page. Every violation found (moderate and minor too) is appended to test-results/axe.jsonl.
 * `AXE=off` skips the checks; `AXE=report` records without failing.
 */
export async function expectAccessible(page: Page, when: string) {
  if (process.env.AXE === 'off' || page.isClosed()) return;
  const key = await pageStateKey(page);
  if (key === null || axeChecked.has(key)) return;
  axeChecked.add(key);
  const started = Date.now();
  // axe-core once per document (AxeBuilder evaluates its 550 KB source twice per check, most of a check's
  // time here); the builder then runs the copy already there.
  for (const frame of page.frames()) {
    if (!(await frame.evaluate(() => 'axe' in window).catch(() => true))) await frame.evaluate(axeCore.source).catch(() => {});
  }
  const results = await new AxeBuilder({ page, axeSource: ';' })
    // In the page itself: the default mode finishes each run in a new tab of the context, which the
    // journeys that wait for a tab (a payment page, a download) would take for theirs.
    .setLegacyMode(true)
    .withTags(AXE_TAGS)
    // Toasts fade in and out: a check that lands mid-fade reads their colours at part opacity. Their
    // colours are set in app.css (darker than the library's) and their text is announced by a live region.
    .exclude('[data-sonner-toast]')
    .options({ resultTypes: ['violations'], rules: Object.fromEntries(AXE_EXTRA_RULES.map((id) => [id, { enabled: true }])) })
    .analyze();
  axeTime.checks += 1;
  axeTime.ms += Date.now() - started;
  mkdirSync('test-results', { recursive: true });
  writeFileSync(`test-results/axe-time-${process.env.E2E_SHARD ?? 1}.json`, JSON.stringify(axeTime));
  const where = `${page.url()} at ${page.viewportSize()?.width ?? '?'}px (${when})`;
  if (results.violations.length) {
    appendFileSync(
      'test-results/axe.jsonl',
      results.violations
        .map((v) =>
          JSON.stringify({ key, where, rule: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => [n.target.join(' '), n.failureSummary]) }),
        )
        .join('\n') + '\n',
    );
  }
  const failing = results.violations.filter((v) => FAILING_IMPACTS.has(v.impact ?? ''));
  if (!failing.length || process.env.AXE === 'report') return;
  const lines = failing.flatMap((v) => [
    `  ${v.id} (${v.impact}): ${v.help} — ${v.helpUrl}`,
    ...v.nodes.slice(0, 8).map((n) => `    ${n.target.join(' ')}\n      ${(n.failureSummary ?? '').replace(/\n\s*/g, ' ')}`),
    ...(v.nodes.length > 8 ? [`    … and ${v.nodes.length - 8} more`] : []),
  ]);
  throw new Error(`Accessibility: ${failing.length} serious or critical axe violation(s) on ${where}:\n${lines.join('\n')}`);
}

type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>;
/** Sessions signed in during this run, per account: logins are rate-limited per IP, and every journey needs several people. */
const sessions = new Map<string, StorageState>();

/**
 * Signs `page` in through the login page. A demo account (default password) signs in through the form
 * once per run; later calls reuse that session's cookies, as sign-ins are limited to 30 tries per address
 * and every journey runs from the same one.
 */
export async function loginAs(page: Page, identifier: string, password = DEMO_PASSWORD) {
  awaitHydration(page);
  const saved = password === DEMO_PASSWORD ? sessions.get(identifier) : undefined;
  if (saved) {
    await page.context().addCookies(saved.cookies);
    await page.goto('/');
    return;
  }
  await page.goto('/login');
  await page.getByLabel('账号').fill(identifier);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page).not.toHaveURL(/\/login/);
  if (password === DEMO_PASSWORD) sessions.set(identifier, { cookies: await page.context().cookies(), origins: [] });
}

/**
 * Signs `page` in with a mobile and an SMS code (the login page's 短信登录 tab, `/login?mode=sms&next=`; the
 * code read from the sandbox outbox) and waits for `next`. Accounts opened by someone else (no password)
 * sign in this way. The session is remembered under the mobile for `signedIn`.
 */
export async function smsLogin(page: Page, mobile: string, next = '/account') {
  await page.goto(`/login?mode=sms&next=${encodeURIComponent(next)}`);
  await page.getByLabel('手机号').fill(mobile);
  await page.getByRole('button', { name: '获取验证码' }).click();
  await expect(page.getByText(/验证码已发送至/)).toBeVisible();
  await page.getByLabel('短信验证码').fill(await readCode(page, mobile));
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page).toHaveURL((url) => url.pathname === next);
  sessions.set(mobile, await page.context().storageState());
}

export async function logout(page: Page) {
  await page.getByRole('banner').locator('details summary').click();
  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page.getByRole('link', { name: '登录', exact: true }).first()).toBeVisible();
}

/**
 * A browser context signed in as `username` (through the login page the first time, from the saved
 * session afterwards), at a phone (390) or desktop (1280) width. Close it when done.
 */
export async function signedIn(browser: Browser, username: string, width: 390 | 1280 = 1280): Promise<{ context: BrowserContext; page: Page }> {
  const viewport = { width, height: width === 390 ? 844 : 800 };
  const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport, storageState: sessions.get(username) });
  context.on('page', awaitHydration);
  const page = awaitHydration(await context.newPage());
  if (!sessions.has(username)) {
    await loginAs(page, username);
    sessions.set(username, await context.storageState());
  }
  return { context, page };
}

/** Remembers a session made outside `signedIn` (a registration) for later contexts. */
export async function rememberSession(context: BrowserContext, username: string) {
  sessions.set(username, await context.storageState());
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
/** Calls the JSON API as the context's signed-in user; throws with the error body on a refusal. */
export async function api<T = Record<string, unknown>>(context: BrowserContext, method: Method, path: string, data?: unknown): Promise<T> {
  // As an API client: the session's token as a bearer token (cookie-authenticated calls must come from a page of the site).
  const token = (await context.cookies()).find((c) => c.name === 'bangfu_session')?.value;
  const headers: Record<string, string> = {
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...(data === undefined ? {} : { 'content-type': 'application/json' }),
  };
  const res = await context.request.fetch(`/api/v1${path}`, { method, headers, ...(data === undefined ? {} : { data }) });
  const body = await res.json().catch(() => null);
  if (!res.ok()) throw new Error(`${method} ${path} → ${res.status()} ${JSON.stringify(body)}`);
  return body as T;
}

/** The organisation the context's user acts for. */
export async function orgOf(context: BrowserContext): Promise<{ organisationId: string; fullName: string }> {
  const me = await api<{ activeOrganisation: { organisationId: string; fullName: string } }>(context, 'GET', '/auth/me');
  return me.activeOrganisation;
}

/**
 * Moves a requirement's opening time or its open round's deadline to `seconds` from now by the server
 * clock, through the development-only hook `POST /dev/time-travel` (see README, Tests).
 */
export async function timeTravel(context: BrowserContext, body: { requirementId: string; openingInSeconds?: number; roundClosesInSeconds?: number }) {
  const res = await context.request.post('/dev/time-travel', { data: body, headers: { 'content-type': 'application/json' } });
  const out = await res.json().catch(() => null);
  if (!res.ok()) throw new Error(`time travel → ${res.status()} ${JSON.stringify(out)}`);
  return out as { openingAt: string | null; round: { id: string; closesAt: string } | null };
}

/** A date `days` from today in Beijing time, as YYYY-MM-DD. */
export const day = (days: number) => new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);

/**
 * A requirement in the project hall, made through the API the way the pages make it: a draft, published
 * (the deposit paid from the owner's wallet) and approved by an operator. Competitive unless `mode` says
 * otherwise; the opening time is two days ahead (move it with `timeTravel`).
 */
export async function publishRequirement(
  owner: BrowserContext,
  operator: BrowserContext,
  input: {
    title: string;
    categoryCode?: string;
    mode?: 'competitive' | 'invitation';
    paymentMode?: 'full_escrow' | 'instalments';
    minBidders?: number;
    budgetMaxFen?: number;
  },
): Promise<{ id: string; title: string; requirementNo: string }> {
  const org = await orgOf(owner);
  const mode = input.mode ?? 'competitive';
  const draft = await api<{ id: string; requirementNo: string }>(owner, 'POST', '/requirements', {
    invoiceName: org.fullName,
    title: input.title,
    categoryCode: input.categoryCode ?? 'finance.01',
    descriptionHtml: `<p>${input.title}：请在方案中说明团队配置、服务流程与交付标准。</p>`,
    budgetMinFen: 1_000_000,
    budgetMaxFen: input.budgetMaxFen ?? 3_000_000,
    deliveryDate: day(60),
    regionCode: '360702',
    mode,
    paymentMode: input.paymentMode ?? 'instalments',
    openingAt: mode === 'competitive' ? new Date(Date.now() + 2 * 86_400_000).toISOString() : undefined,
    minBidders: mode === 'competitive' ? (input.minBidders ?? 1) : undefined,
    attachmentIds: [],
  });
  await api(owner, 'POST', `/requirements/${draft.id}/submit`);
  await api(operator, 'POST', `/admin/requirements/${draft.id}/review`, { decision: 'approve' });
  return { id: draft.id, title: input.title, requirementNo: draft.requirementNo };
}

/** A proposal (标书) through the API. */
export async function submitProposal(provider: BrowserContext, requirementId: string, priceFen: number) {
  return api(provider, 'POST', `/requirements/${requirementId}/proposals`, {
    priceFen,
    plan: '由注册会计师带队的三人小组负责，每月上门收取票据，按时完成申报并出具经营分析报告。',
    timeline: '签约后 3 个工作日内启动，服务期 12 个月',
    attachmentIds: [],
  });
}

/** A phone: 390 px wide, touch, as the manuals' individual users come from WeChat. A fresh, signed-out context. */
export async function phone(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  context.on('page', awaitHydration);
  return { context, page: awaitHydration(await context.newPage()) };
}

/**
 * Fills the enterprise registration form (code from the outbox) up to the consent box, ticked unless
 * `agree` is false; the caller submits.
 */
export async function fillEnterpriseRegistration(page: Page, fullName: string, { agree = true } = {}): Promise<{ username: string; mobile: string }> {
  const username = newUsername('qy');
  const mobile = newMobile();
  await page.goto('/register/organisation');
  await page.getByText('企业会员').click();
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('手机号').fill(mobile);
  await page.getByRole('button', { name: '获取验证码' }).click();
  await expect(page.getByText(/验证码已发送/)).toBeVisible();
  await page.getByLabel('短信验证码').fill(await readCode(page, mobile));
  await page.getByLabel('密码', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByLabel('确认密码').fill(DEMO_PASSWORD);
  await page.getByLabel('单位全称').fill(fullName);
  await page.getByLabel('统一社会信用代码').fill(newUscc());
  if (agree) await page.getByRole('checkbox', { name: /我已阅读并同意/ }).check();
  return { username, mobile };
}

/**
 * Registers a new enterprise through the registration page (code from the outbox) and leaves the page
 * signed in as it. Its wallet is empty.
 */
export async function registerEnterprise(page: Page, fullName: string): Promise<{ username: string; mobile: string }> {
  const account = await fillEnterpriseRegistration(page, fullName);
  await page.getByRole('button', { name: '注册', exact: true }).click();
  await expect(page).toHaveURL(/\/account\?welcome=1/);
  return account;
}

/**
 * Pays an online recharge by 网银 on the sandbox bank's page, from the recharge form the page is on, and waits
 * for the gateway's callback to settle it (the result page turns to 充值成功).
 */
export async function payOnline(page: Page, yuan: string) {
  await page.getByText('其他金额', { exact: true }).click();
  await page.getByLabel('充值金额（元）').fill(yuan);
  await page.getByText('网银', { exact: true }).click();
  await page.getByText('中国工商银行', { exact: true }).click();
  await page.getByRole('button', { name: '确定，去付款' }).click();
  await expect(page).toHaveURL(/\/api\/v1\/sandbox\/bank/);
  await page.getByRole('button', { name: '确认付款' }).click();
  await expect(page).toHaveURL(/\/wallet\/recharge\/result\?orderNo=R/);
  await expect(page.getByTestId('recharge-result')).toHaveAttribute('data-status', 'paid', { timeout: 30_000 });
}

mkdirSync('e2e/artifacts', { recursive: true });

/**
 * A full-page picture of the page at `path` + `.jpg`. JPEG: a full-page PNG of a long page took the browser
 * about 0.7 s to encode, some two minutes of each journeys' run.
 */
export async function snap(page: Page, path: string) {
  await expectAccessible(page, `screenshot ${path}`);
  // SCREENSHOTS=off (npm test's second run, on PostgreSQL: the same pages as the first run's pictures).
  if (process.env.SCREENSHOTS === 'off') return;
  await page.screenshot({ path: `${path}.jpg`, fullPage: true, type: 'jpeg', quality: 80 });
}

/**
 * Screenshots the page at a phone and a desktop width (`e2e/artifacts/<name>-<width>.jpg`) after
 * checking it does not scroll sideways there; the viewport is put back afterwards.
 */
export async function shoot(page: Page, name: string, widths: readonly number[] = [390, 1280]) {
  await expectNoScriptErrors(page, name);
  const before = page.viewportSize();
  for (const width of widths) {
    await page.setViewportSize({ width, height: width <= 390 ? 844 : 800 });
    // From the top: a full-page shot of a scrolled page draws the sticky header where it was scrolled to.
    await page.evaluate(() => window.scrollTo(0, 0));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${name} scrolls sideways at ${width}px`).toBeLessThanOrEqual(1);
    // Charts (echarts, on canvas) slide to their new size for 300 ms: shoot them settled.
    if (await page.locator('canvas').count()) await page.waitForTimeout(400);
    await snap(page, `e2e/artifacts/${name}-${width}`);
  }
  if (before) await page.setViewportSize(before);
}

/**
 * The page ran its scripts without an error since it was loaded: a server-rendered page whose
 * hydration throws (a Node-only module in the browser bundle, say) still looks right until it is
 * replaced by the error page, so the journeys check the browser's own record.
 */
export async function expectNoScriptErrors(page: Page, name: string) {
  const thrown = (await page.pageErrors({ filter: 'since-navigation' })).map((e) => e.message);
  const logged = (await page.consoleMessages({ filter: 'since-navigation' }))
    .filter((m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
    .map((m) => m.text());
  expect([...thrown, ...logged], `${name}: script errors in the browser`).toEqual([]);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/**
 * The accessible name of a control whose visible label is followed by visually hidden context
 * (「审核」 + 「：<title>」): browsers put a space between the two.
 */
export const named = (label: string, hidden: string) => new RegExp(`^${escapeRegExp(label)}\\s*${escapeRegExp(hidden)}$`);
