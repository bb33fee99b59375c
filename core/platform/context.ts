import type { Redis } from 'ioredis';
import type { Db, DbHandle } from '../../db/client';
import type { Notifier } from '../notifications/notifier';
import type { Actor } from '../shared/actor';
import type { Clock } from '../shared/clock';
import type { Config } from '../shared/config';
import type { DeadlineTimer } from '../shared/deadline-timer';
import type { JobQueue } from '../jobs/jobs.service';
import type { Presence } from '../shared/presence';
import type { LocalPublisher } from '../shared/publisher';
import type { RateLimiter } from '../shared/rate-limit';
import type { SandboxGateway } from '../wallet/sandbox-gateway';
import type { FilePurpose } from '../files/files.service';
import type { SettingKey } from '../settings/settings.service';
import type { SeedSteps } from './seed-steps';

/**
 * What the platform hands every context: infrastructure only. Services of other contexts arrive as
 * the second argument of `create`, typed by what the context declares it needs.
 */
export interface PlatformDeps {
  config: Config;
  db: Db;
  dbHandle: DbHandle;
  clock: Clock;
  /** Fan-out of post-commit events to socket.io rooms (`user:<id>`, `room:<id>`, …). */
  publisher: LocalPublisher;
  /** Wake-ups for deadlines (the database row holding the deadline is the truth). */
  timer: DeadlineTimer;
  /** The durable job queue and outbox (core/jobs): schedule in the caller's transaction, `jobs.on(kind, handler)` in `create`. */
  jobs: JobQueue;
  notifier: Notifier;
  rateLimiter: RateLimiter;
  /** Redis when REDIS_URL is set (admission gates that must hold across nodes); undefined in the one-process mode. */
  redis: Redis | undefined;
  /** Prefix of every Redis key of this deployment (REDIS_PREFIX; tests use a unique one). */
  redisPrefix: string;
  /** The sandbox payment gateway (recharges and mall payments). */
  gateway: SandboxGateway;
  /** Who watches which socket.io room; the realtime layer fills it in. */
  presence: { current: Presence };
  /** The origin of links people follow (see platform.ts). */
  publicOrigin: (requestOrigin?: string) => string;
  log: (line: string) => void;
}

/** A file attached for `purpose` may be read by `actor` (the uploader's organisation always may). */
export type FileAccessRule<S> = (services: S, actor: Actor | null, file: { subjectId: string; organisationId: string | null }) => Promise<boolean> | boolean;

/**
 * Timed work a context owns, run by nodes that run jobs (realtime nodes and the single process).
 * `resume` puts the wake-ups back after a restart or a Redis outage (the database holds the deadlines);
 * `sweep` is the idempotent safety net that does whatever is due, every `everyMs`.
 */
export interface TimedWork<S> {
  resume?: (services: S) => Promise<unknown>;
  sweep?: { everyMs: number; run: (services: S) => Promise<unknown> };
}

/**
 * A context's demo seed; `steps.step(name, …)` records each part so a seed interrupted half-way resumes.
 * `H` is what it uses of the platform, declared with service types (never `Platform`, which is built from
 * this list); core/platform/seed.ts checks that the platform offers every seed's `H`.
 */
export type SeedFn<H> = (p: H, log: (line: string) => void, steps: SeedSteps) => Promise<unknown>;

export interface ContextDefinition<N extends string, R extends object, S extends object, H = never> {
  /** The context's name: its folder under core/, its line in core/contexts.ts and realtime/contexts.ts. */
  name: N;
  /** Contexts whose services `create` receives; they must come earlier in core/contexts.ts (checked by type and at start). */
  needs?: readonly string[];
  /** The drizzle tables it owns (the module db/schema/<ctx>.ts); nobody else reads or writes them. */
  tables?: Readonly<Record<string, unknown>>;
  /** Builds the context's services. Every key of the result becomes `platform.services.<key>` (flat, unique). */
  create: (deps: PlatformDeps, needs: R) => S | Promise<S>;
  /** Who may read a file attached to one of this context's subjects, per file purpose it owns. */
  fileAccess?: { readonly [P in FilePurpose]?: FileAccessRule<S> };
  jobs?: TimedWork<S>;
  /** Keys of the operator settings (platform_settings) it owns; each key has one owner. */
  settings?: readonly SettingKey[];
  /** Its error codes and their HTTP status (<ctx>.errors.ts). */
  errors?: Readonly<Record<string, number>>;
  /** Demo data, run in list order after every service exists (SEED_DEMO). */
  seed?: SeedFn<H>;
}

export interface ContextModule<N extends string, R extends object, S extends object, H = never> extends ContextDefinition<N, R, S, H> {
  readonly needs: readonly string[];
}

/**
 * Any context, whatever its services: what the platform's loops take. Functions take `never` because a
 * context's own rules accept only its own services; the platform calls them with all services (see
 * `servicesFn`), which include every context's.
 */
export interface AnyContext {
  readonly name: string;
  readonly needs: readonly string[];
  readonly tables?: Readonly<Record<string, unknown>>;
  readonly create: (deps: PlatformDeps, needs: never) => object | Promise<object>;
  readonly fileAccess?: { readonly [P in FilePurpose]?: FileAccessRule<never> };
  readonly jobs?: { resume?: (services: never) => Promise<unknown>; sweep?: { everyMs: number; run: (services: never) => Promise<unknown> } };
  readonly settings?: readonly SettingKey[];
  readonly errors?: Readonly<Record<string, number>>;
  readonly seed?: SeedFn<never>;
}

/**
 * A context's function over its own services, called with all of them. Sound: the platform's services
 * are the merge of every context's (ServicesOfList), a supertype of each context's own.
 */
export function servicesFn<A extends unknown[], T, All>(fn: (services: never, ...rest: A) => T): (services: All, ...rest: A) => T {
  return fn as (services: All, ...rest: A) => T;
}

/**
 * Declares a bounded context. `R` is what it needs from contexts built before it (annotate the second
 * parameter of `create`), `S` the services it builds (inferred).
 */
export function defineContext<const N extends string, R extends object, S extends object, H = never>(
  def: ContextDefinition<N, R, S, H>,
): ContextModule<N, R, S, H> {
  return { ...def, needs: def.needs ?? [] };
}

// ── type-level composition over the ordered list ────────────────────────────────────────────────

/** The services a context builds. */
export type ServicesOf<C> = C extends ContextModule<string, infer _R, infer S, infer _H> ? S : never;
type NeedsOf<C> = C extends ContextModule<string, infer R, infer _S, infer _H> ? R : never;
/** What a context's seed uses of the platform. */
export type SeedHostOf<C> = C extends ContextModule<string, infer _R, infer _S, infer H> ? H : never;
type NameOf<C> = C extends { name: infer N extends string } ? N : never;

type Flatten<T> = { [K in keyof T]: T[K] };
type BuiltBy<L> = L extends readonly [infer H, ...infer T] ? ServicesOf<H> & BuiltBy<T> : object;

/** Every context's services merged into one flat record (platform.services). */
export type ServicesOfList<L extends readonly AnyContext[]> = Flatten<BuiltBy<L>>;
export type NamesOfList<L extends readonly AnyContext[]> = L[number]['name'];

/**
 * `true` when each context's needs are met by the contexts listed before it, otherwise a message naming
 * the first one that is not (core/contexts.ts assigns `true` to it, so a wrong order fails to compile).
 */
export type CheckOrder<L, Built = object> = L extends readonly [infer H, ...infer T]
  ? Built extends NeedsOf<H>
    ? CheckOrder<T, Built & ServicesOf<H>>
    : `context '${NameOf<H>}' needs services of a context that is not listed before it`
  : true;
