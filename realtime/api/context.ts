import type { OpenAPIHono } from '@hono/zod-openapi';
import type { BlankSchema } from 'hono/types';
import type { Actor } from '../../core/shared/actor';
import type { Platform } from '../../core/platform/platform';
import type { Logger } from '../../core/shared/logger';

export const SESSION_COOKIE = 'bangfu_session';

/** What every API handler gets on `c.var`. */
export interface ApiEnv {
  Variables: {
    platform: Platform;
    services: Platform['services'];
    actor: Actor | null;
    /** The token that authenticated this request (cookie or bearer), if any. */
    token: string | null;
    requestId: string;
    /** The request's logger: every line carries its request id. */
    log: Logger;
    ip: string;
  };
}

/** The API router every `register*Routes` adds to. */
export type ApiRouter = OpenAPIHono<ApiEnv, BlankSchema, '/api/v1'>;
