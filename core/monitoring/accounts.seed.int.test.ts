import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestPlatform } from '../testing/test-platform';
import type { Platform } from '../platform/platform';
import { seedDemoMonitoringAccounts } from './accounts.seed';

let p: Platform;
beforeAll(async () => {
  p = await createTestPlatform();
});
afterAll(() => p?.close());

it('seeds the demo monitoring logins, each with its part', async () => {
  await seedDemoMonitoringAccounts(p, () => {});
  const kinds: Record<string, string> = {};
  const list = await p.services.monitoringAccounts.listDepartments({ userId: '', username: '', sessionId: '', memberships: [], isOperator: true });
  for (const r of list) kinds[r.name] = r.cityName ?? '省';
  expect(kinds).toEqual({ 广东省乡村振兴局: '省', 广州市乡村振兴局: '广州市', 深圳市乡村振兴局: '深圳市' });
});
