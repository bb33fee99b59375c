import { createRoute, z } from '@hono/zod-openapi';
import { JobListQuery, JobPage, JobStats, JobView } from '../../core/jobs/jobs.schema';
import type { ApiRouter } from './context';
import { authed, errorResponses, json, named } from './schemas';

const Job = named(JobView, 'Job');

const listJobs = createRoute({
  method: 'get',
  path: '/admin/jobs',
  tags: ['admin'],
  summary: '运营：后台任务列表（按状态、类型筛选，分页）',
  security: authed,
  request: { query: JobListQuery },
  responses: {
    200: json(named(JobPage.extend({ items: z.array(Job) }), 'JobPage'), 'Jobs, newest change first, with the kinds in use'),
    ...errorResponses(400, 401, 403),
  },
});
const jobStats = createRoute({
  method: 'get',
  path: '/admin/jobs/stats',
  tags: ['admin'],
  summary: '运营：任务队列概况（各状态数量、最久逾期、失败、外发延迟）',
  security: authed,
  responses: { 200: json(named(JobStats, 'JobStats'), 'Queue depth by status, age of the oldest due job, failures, outbox lag'), ...errorResponses(401, 403) },
});
const retryJob = createRoute({
  method: 'post',
  path: '/admin/jobs/{id}/retry',
  tags: ['admin'],
  summary: '运营：重试失败的任务',
  security: authed,
  request: { params: z.object({ id: z.string() }) },
  responses: { 200: json(Job, 'The job, pending again with fresh attempts'), ...errorResponses(401, 403, 404, 409) },
});

export function registerJobRoutes(api: ApiRouter) {
  api.openapi(listJobs, async (c) => c.json(await c.var.services.jobs.list(c.var.actor, c.req.valid('query')), 200));
  api.openapi(jobStats, async (c) => c.json(await c.var.services.jobs.stats(c.var.actor), 200));
  api.openapi(retryJob, async (c) => c.json(await c.var.services.jobs.retry(c.var.actor, c.req.valid('param').id), 200));
}
