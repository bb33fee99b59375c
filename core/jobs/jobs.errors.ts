/** Refusals of the job queue (operators' actions on /admin/jobs). */
export const JOBS_ERRORS = {
  /** 重试 of a job that is not failed (pending, running or done). */
  JOB_NOT_FAILED: 409,
} as const;
