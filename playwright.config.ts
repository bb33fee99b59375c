import { defineConfig, devices } from '@playwright/test';
import { findSystemChromium } from './scripts/browser.mjs';

const PORT = Number(process.env.E2E_PORT ?? 3987);
/** Debian's Chromium when installed (or CHROMIUM_PATH, which npm test sets); Playwright's own otherwise. */
const chromium = findSystemChromium();

/** Browser journeys against a freshly started Bangfu (scripts/e2e-server.mjs: fresh database, demo data). */
export default defineConfig({
  testDir: 'e2e',
  // npm test runs the journeys in shards side by side (scripts/test.mjs), each with its own server and output.
  outputDir: process.env.E2E_SHARD ? `test-results/shard-${process.env.E2E_SHARD}` : 'test-results',
  // 90 s: the accessibility checks (e2e/fixtures.ts, axe-core once per page state) take a second or two
  // each on a busy 2-core machine, and a journey through many pages makes dozens of them.
  timeout: 90_000,
  expect: { timeout: 10_000 },
  // One worker per server on purpose: the journeys of one server share its demo accounts (wallet journeys
  // assert exact balances of zhixing's wallet, and the rooms journeys act as zhixing too). Parallel runs
  // are shards instead (`--shard=i/n` with E2E_SHARD and E2E_PORT, as npm test does): each shard starts
  // its own server on a fresh database with its own demo data, so no two journeys share an account.
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${PORT}`,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    // A trace costs every action a snapshot: record it when a failed journey is retried (CI retries once).
    trace: 'on-first-retry',
    launchOptions: {
      ...(chromium ? { executablePath: chromium } : {}),
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], viewport: { width: 1280, height: 800 } } }],
  webServer: {
    command: 'node scripts/e2e-server.mjs',
    url: `http://localhost:${PORT}/readyz`,
    // Server logs are JSON lines on stdout: warnings and errors reach the journeys' output.
    env: { PORT: String(PORT), LOG_LEVEL: 'warn' },
    reuseExistingServer: false,
    timeout: 240_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
