import { jobs } from '../../db/schema';
import { defineContext } from '../platform/context';
import type { PlatformDeps } from '../platform/context';
import { createJobAdminService, type JobAdminService } from './jobs.service';

/**
 * The job queue and outbox. The queue itself is infrastructure every context receives
 * (`PlatformDeps.jobs`, built before any context); this module adds what operators see of it.
 */
export const jobsContext = defineContext({
  name: 'jobs',
  tables: { jobs },
  create: ({ jobs: queue }: PlatformDeps): { jobs: JobAdminService } => ({ jobs: createJobAdminService(queue) }),
});
