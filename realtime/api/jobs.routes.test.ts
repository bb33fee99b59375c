import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/shared/clock';
import { createApiHarness, type ApiHarness } from './test-helpers';

let h: ApiHarness;
let op: Awaited<ReturnType<ApiHarness['operator']>>;
const clock = new ManualClock();
beforeAll(async () => {
  h = await createApiHarness({ clock });
  op = await h.operator();
  // A job that fails for good on its only attempt, and one waiting for later.
  h.platform.jobs.on('test.broken', async () => {
    throw new Error('下游服务不可用');
  });
  await h.platform.jobs.schedule(h.platform.db, { kind: 'test.broken', key: 'b1', runAt: clock.now(), maxAttempts: 1 });
  await h.platform.jobs.schedule(h.platform.db, { kind: 'test.later', key: 'l1', runAt: new Date(clock.now().getTime() + 3_600_000) });
  await h.platform.jobs.runDue();
});
afterAll(() => h?.close());

const get = (path: string, token = op.token) => h.json('GET', path, undefined, { token });

describe('/admin/jobs', () => {
  it('lists failed jobs with their last error and attempts, filtered by status and kind; the payload is not shown', async () => {
    const res = await get('/api/v1/admin/jobs?status=failed&kind=test.broken');
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({
      total: 1,
      page: 1,
      items: [{ kind: 'test.broken', key: 'b1', status: 'failed', attempts: 1, maxAttempts: 1, lastError: '下游服务不可用' }],
    });
    expect(res.json.items[0]).not.toHaveProperty('payload');
    expect(res.json.kinds).toEqual(expect.arrayContaining(['test.broken', 'test.later']));
    const pending = await get('/api/v1/admin/jobs?status=pending&kind=test.later');
    expect(pending.json).toMatchObject({ total: 1, items: [{ key: 'l1', status: 'pending' }] });
    expect((await get('/api/v1/admin/jobs?status=nope')).status).toBe(400);
  });

  it('stats: depth by status, failures, oldest due age and outbox lag', async () => {
    const res = await get('/api/v1/admin/jobs/stats');
    expect(res.status, res.text).toBe(200);
    expect(res.json.byStatus.failed).toBeGreaterThanOrEqual(1);
    expect(res.json).toHaveProperty('oldestDueAgeMs');
    expect(res.json).toHaveProperty('outboxLagMs');
  });

  it('重试 puts a failed job back in the queue; retrying a job that is not failed is refused', async () => {
    const [failed] = (await get('/api/v1/admin/jobs?status=failed&kind=test.broken')).json.items as { id: string }[];
    const res = await h.json('POST', `/api/v1/admin/jobs/${failed!.id}/retry`, undefined, { token: op.token });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ status: 'pending', attempts: 0, lastError: '下游服务不可用' });
    const again = await h.json('POST', `/api/v1/admin/jobs/${failed!.id}/retry`, undefined, { token: op.token });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('JOB_NOT_FAILED');
    expect((await h.json('POST', '/api/v1/admin/jobs/00000000-0000-4000-8000-000000000000/retry', undefined, { token: op.token })).status).toBe(404);
  });

  it('is for operators only', async () => {
    const u = await h.user();
    expect((await get('/api/v1/admin/jobs', u.token)).status).toBe(403);
    expect((await h.json('GET', '/api/v1/admin/jobs')).status).toBe(401);
    expect((await h.json('POST', '/api/v1/admin/jobs/00000000-0000-4000-8000-000000000000/retry', undefined, { token: u.token })).status).toBe(403);
  });
});
