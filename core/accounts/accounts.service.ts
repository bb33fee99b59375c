import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Db, DbOrTx, Tx } from '../../db/client';
import { recordAudit } from '../audit/audit';
import type { Actor, MemberRole, MembershipView } from '../shared/actor';
import { requireActor } from '../shared/actor';
import { AppError, type ErrorCode } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { RATE_RULES, type RateLimiter } from '../shared/rate-limit';
import { createGroupWriter } from '../shared/group-writer';
import { parseInput } from '../shared/validate';
import type { Notifier } from '../notifications/notifier';
import type { MessageService } from '../notifications/messages.service';
import type { OrganisationService } from '../organisations/organisations.service';
import { accountsRepo as repo, type CodePurpose, type SessionRow, type UserRow } from './accounts.repo';
import { ACTIVATION_MESSAGES, ACTIVATION_TTL_MS, activationHash, activationState, newActivationCode, normaliseActivationCode } from './activation';
import {
  ActivateInput,
  ChangePasswordInput,
  LoginInput,
  PasswordResetConfirmInput,
  PasswordResetRequestInput,
  RegisterInput,
  RequestLoginCodeInput,
  SendRegisterCodeInput,
  SmsLoginInput,
  SwitchOrganisationInput,
  UpdateProfileInput,
} from './accounts.schema';
import { CODE_TTL_MS, decideCodeAttempt } from './codes.machine';
import { hashPassword, spendVerifyTime, verifyPassword } from './passwords';
import { decideSession, generateSessionToken, sessionIdFromToken } from './sessions';
import { isMainlandMobile, normaliseMobile } from '../shared/validators';
import type { LegalService } from '../legal/legal.service';

export interface AccountsDeps {
  db: Db;
  clock: Clock;
  notifier: Notifier;
  messages: MessageService;
  /** Registration founds the person's organisation through its own context. */
  organisations: Pick<OrganisationService, 'findByUscc' | 'createWithOwner' | 'membershipsOf' | 'addMembers'>;
  /** The 用户协议 / 隐私政策 versions a registration agrees to. */
  legal: Pick<LegalService, 'currentVersions'>;
  rateLimiter: RateLimiter;
  secret: string;
  session: { idleMs: number; absoluteMs: number };
  /** Sign-in tries per client address per 15 minutes (LOGIN_LIMIT_IP; default 30). */
  loginPerIp?: number;
}

/** What every registration asks for: the login, the mobile confirmed by SMS code, the password. */
export interface AccountBasics {
  username: string;
  mobile: string;
  code: string;
  email?: string;
  password: string;
  /** The consent box (用户协议 and 隐私政策), checked by each registration schema (`AgreeTerms`). */
  agreeTerms: true;
}

/** Where a request came from: the IP for per-IP limits, the agent for the session list. */
export interface RequestContext {
  ip: string;
  userAgent?: string;
}

export interface PublicUser {
  id: string;
  username: string;
  mobile: string;
  email: string | null;
  displayName: string | null;
  locale: string;
  status: 'active' | 'disabled';
  createdAt: Date;
  /** 用户协议 / 隐私政策 versions agreed at registration (null for accounts opened by operators or imports). */
  termsVersion: number | null;
  privacyVersion: number | null;
  agreedAt: Date | null;
}

export interface SessionResult {
  token: string;
  expiresAt: Date;
  user: PublicUser;
}

/** Bound of the hot routes' recent-session cache (cleared whole when full; the next request re-reads). */
const RECENT_SESSIONS_MAX = 100_000;

export interface ResolvedSession {
  actor: Actor;
  user: PublicUser;
  session: SessionRow;
}

export const toPublicUser = (u: UserRow): PublicUser => ({
  id: u.id,
  username: u.username,
  mobile: u.mobile,
  email: u.email,
  displayName: u.displayName,
  locale: u.locale,
  status: u.status,
  createdAt: u.createdAt,
  termsVersion: u.termsVersion,
  privacyVersion: u.privacyVersion,
  agreedAt: u.agreedAt,
});

/** Masks a mobile for messages shown to people: 138****8000. */
export const maskMobile = (m: string) => `${m.slice(0, 3)}****${m.slice(7)}`;

const CODE_MESSAGE = '验证码错误或已失效，请重新获取';

/** The password of a generated account until its activation code sets one: no argon2 hash matches it. */
export const NOT_ACTIVATED = '!activation';
/**
 * The password of an account that signs in only with SMS codes (短信登录): no argon2 hash matches it, the
 * password form refuses it like a wrong password. Other contexts that open such accounts store this.
 */
export const SMS_ONLY = '!sms';
/** Whether a stored password hash is one of the markers above (no password can sign in). */
const hasNoPassword = (passwordHash: string) => passwordHash === NOT_ACTIVATED || passwordHash === SMS_ONLY;
const ACTIVATION_WRONG = '账号或激活码不正确（激活码见短信，区分账号）';
const ACTIVATION_MAX_FAILURES = 5;
const ACTIVATION_LOCKED = '激活码输错次数过多已失效，请联系上级单位重新发送';

/** Someone the platform opens an account for (a budget unit's contact, a purchaser). */
export interface GeneratedPerson {
  organisationId: string;
  role: MemberRole;
  /** 11 digits. */
  mobile: string;
  displayName: string;
  /** The login to create (letters and digits, 4–20); none: the person signs in with the mobile. */
  username?: string;
  /** The SMS text; `code` is null when the mobile already had an account (it joins the organisation). */
  sms: (a: { login: string; code: string | null }) => string;
}
const RESET_ACCEPTED = { message: '如果该账号存在，验证码已发送，请在 10 分钟内使用' } as const;
/** The answer to a sign-in code request, the same whether or not the mobile has an account. */
const loginCodeAccepted = (mobile: string) => ({ message: `如该手机号已开通账号，验证码已发送至 ${maskMobile(mobile)}，10 分钟内有效` });

export function createAccountService(deps: AccountsDeps) {
  const { db, clock, notifier, organisations, rateLimiter: rl, secret } = deps;
  const loginPerIp = { ...RATE_RULES.loginPerIp, points: deps.loginPerIp ?? RATE_RULES.loginPerIp.points };

  const hashCode = (id: string, code: string) => createHmac('sha256', secret).update(`${id}:${code}`).digest();

  async function issueCode(tx: DbOrTx, purpose: CodePurpose, channel: 'sms' | 'email', target: string) {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const id = crypto.randomUUID();
    await repo.insertCode(tx, {
      id,
      purpose,
      channel,
      target,
      codeHash: hashCode(id, code).toString('hex'),
      expiresAt: new Date(clock.now().getTime() + CODE_TTL_MS),
    });
    const what = purpose === 'register' ? '注册' : purpose === 'login' ? '登录' : '找回密码';
    const text = `【帮扶】您的${what}验证码为 ${code}，10 分钟内有效。如非本人操作，请忽略本短信。`;
    if (channel === 'sms') await notifier.sendSms({ to: target, text }, tx);
    else await notifier.sendEmail({ to: target, subject: `帮扶平台${what}验证码`, text }, tx);
  }

  /**
   * Checks a code inside the caller's transaction. A wrong try is recorded even though the caller
   * will fail: it returns `false` instead of throwing so the transaction commits the count.
   */
  async function tryCode(tx: DbOrTx, purpose: CodePurpose, channel: 'sms' | 'email', target: string, code: string) {
    const row = await repo.lockLatestCode(tx, purpose, channel, target);
    if (!row) return false;
    const expected = Buffer.from(row.codeHash, 'hex');
    const matches = timingSafeEqual(expected, hashCode(row.id, code));
    const decision = decideCodeAttempt(row, matches, clock.now());
    if (decision.outcome === 'dead') return false;
    await repo.updateCode(tx, row.id, decision.update);
    return decision.outcome === 'accepted';
  }

  async function startSession(tx: DbOrTx, user: UserRow, ctx: RequestContext, kind: 'cookie' | 'bearer'): Promise<SessionResult> {
    const token = generateSessionToken();
    const now = clock.now();
    const [first] = await organisations.membershipsOf(user.id, tx);
    const session = await repo.insertSession(tx, {
      id: sessionIdFromToken(token),
      userId: user.id,
      kind,
      activeOrganisationId: first?.organisationId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + deps.session.absoluteMs),
      ip: ctx.ip,
      userAgent: ctx.userAgent?.slice(0, 300),
    });
    return { token, expiresAt: session.expiresAt, user: toPublicUser(user) };
  }

  /** The identifier as one spelling: trimmed, lower case, a mobile in its 11 digits. */
  function normaliseIdentifier(identifier: string) {
    const id = identifier.trim().toLowerCase();
    const mobile = normaliseMobile(id);
    return isMainlandMobile(mobile) ? mobile : id;
  }

  async function findUserByIdentifier(q: DbOrTx, identifier: string) {
    const id = identifier.trim();
    if (id.includes('@')) return repo.findUserByEmail(q, id);
    // Written the ways registration accepts (+86, spaces, dashes); usernames cannot contain those.
    const mobile = normaliseMobile(id);
    if (isMainlandMobile(mobile)) return repo.findUserByMobile(q, mobile);
    return repo.findUserByUsername(q, id);
  }

  const audit = (
    q: DbOrTx,
    actorUserId: string | null,
    action: string,
    targetType: string,
    targetId: string,
    ip?: string,
    data?: unknown,
    organisationId?: string | null,
  ) => recordAudit(q, { actorUserId, action, targetType, targetId, ip, data, organisationId });

  /**
   * The one way an account comes to exist, shared by every kind of registration (enterprises,
   * providers and merchants here; mall units and individuals in core/mall): refuses a taken username,
   * mobile or e-mail (and the caller's own `conflicts`, e.g. a registered USCC) field by field, hashes
   * the password, then in one transaction checks the SMS code, inserts the user, lets `create` write
   * what the kind needs (organisation, profile, membership), audits, sends the welcome site message
   * and starts a session. Errors: USERNAME_TAKEN, MOBILE_TAKEN, EMAIL_TAKEN, the conflicts' codes,
   * CODE_INVALID, RATE_LIMITED. Unique indexes settle concurrent races (mapped to the same fields).
   */
  async function createAccount<T>(
    basics: AccountBasics,
    ctx: RequestContext,
    opts: {
      sessionKind?: 'cookie' | 'bearer';
      /** Further refusals checked before anything is written, e.g. `{ code: 'ORGANISATION_EXISTS', field: 'uscc', message }`. */
      conflicts?: () => Promise<{ code: ErrorCode; field: string; message: string }[]>;
      auditData: Record<string, unknown>;
      /** `organisationId`: the organisation the account joined or created (its admins see the audit row). */
      create: (tx: Tx, user: UserRow) => Promise<{ value: T; organisationId?: string; welcome: { title: string; body: string; link?: string } }>;
    },
  ): Promise<{ session: SessionResult; value: T }> {
    await rl.consume(RATE_RULES.registerPerIp, ctx.ip, '注册太频繁，请稍后再试');
    const [byName, byMobile, byEmail, extra] = await Promise.all([
      repo.findUserByUsername(db, basics.username),
      repo.findUserByMobile(db, basics.mobile),
      basics.email ? repo.findUserByEmail(db, basics.email) : undefined,
      opts.conflicts?.() ?? [],
    ]);
    const refusals = [
      ...(byName ? [{ code: 'USERNAME_TAKEN' as const, field: 'username', message: '该用户名已被注册' }] : []),
      ...(byMobile ? [{ code: 'MOBILE_TAKEN' as const, field: 'mobile', message: '该手机号已注册，请直接登录或找回密码' }] : []),
      ...(byEmail ? [{ code: 'EMAIL_TAKEN' as const, field: 'email', message: '该邮箱已被注册' }] : []),
      ...extra,
    ];
    if (refusals.length) {
      const taken: Record<string, string> = {};
      for (const r of refusals) taken[r.field] ??= r.message;
      throw new AppError(refusals[0]!.code, refusals[0]!.message, taken);
    }
    const passwordHash = await hashPassword(basics.password);
    const result = await db
      .transaction(async (tx) => {
        if (!(await tryCode(tx, 'register', 'sms', basics.mobile, basics.code))) return null;
        // The versions current when the account is written: the ones the person read and agreed to.
        const agreed = await deps.legal.currentVersions(tx);
        const user = await repo.insertUser(tx, {
          username: basics.username,
          mobile: basics.mobile,
          email: basics.email,
          passwordHash,
          termsVersion: agreed.terms,
          privacyVersion: agreed.privacy,
          agreedAt: clock.now(),
        });
        const { value, welcome, organisationId } = await opts.create(tx, user);
        await audit(tx, user.id, 'account.register', 'user', user.id, ctx.ip, opts.auditData, organisationId);
        const sent = await deps.messages.send({ userId: user.id, ...welcome }, tx);
        return { session: await startSession(tx, user, ctx, opts.sessionKind ?? 'cookie'), value, push: sent.push };
      })
      .catch((e: unknown) => {
        throw uniqueViolationToField(e) ?? e;
      });
    if (!result) throw new AppError('CODE_INVALID', CODE_MESSAGE, { code: CODE_MESSAGE });
    await result.push();
    return { session: result.session, value: result.value };
  }

  /** The caller a session stands for, with the user's memberships (none for a hot route's personal actor). */
  function resolvedOf(session: SessionRow, user: UserRow, list: MembershipView[]): ResolvedSession {
    const active = list.find((m) => m.organisationId === session.activeOrganisationId && m.status === 'active') ?? list.find((m) => m.status === 'active');
    return {
      session,
      user: toPublicUser(user),
      actor: {
        userId: user.id,
        username: user.username,
        sessionId: session.id,
        memberships: list,
        organisation: active,
        isOperator: list.some((m) => m.kind === 'platform' && m.status === 'active'),
      },
    };
  }

  /** The session row with its user (one query) and the user's memberships (one more). */
  async function resolveSession(id: string): Promise<ResolvedSession | null> {
    const row = await repo.findSessionWithUser(db, id);
    if (!row) return null;
    const { session, user } = row;
    const now = clock.now();
    const decision = decideSession(session, deps.session, now);
    if (decision === 'expired') {
      await repo.deleteSession(db, id);
      return null;
    }
    if (user.status !== 'active') return null;
    if (decision === 'touch') await repo.touchSession(db, id, now);
    return resolvedOf(session, user, (await organisations.membershipsOf(user.id)) as MembershipView[]);
  }

  /**
   * Hot routes' session reads (a personal actor, no memberships), grouped: the sessions asked for while
   * the previous read runs are read in one query, and the ones due a touch are touched in one update.
   * Same rules as resolveSession.
   */
  const personalReads = createGroupWriter<string, ResolvedSession | null>(async (_key, ids) => {
    const rows = await repo.findSessionsWithUsers(db, [...new Set(ids)]);
    const now = clock.now();
    const found = new Map<string, ResolvedSession>();
    const expired: string[] = [];
    const touch: string[] = [];
    for (const { session, user } of rows) {
      const decision = decideSession(session, deps.session, now);
      if (decision === 'expired') expired.push(session.id);
      else if (user.status === 'active') {
        if (decision === 'touch') touch.push(session.id);
        found.set(session.id, resolvedOf(session, user, []));
      }
    }
    if (expired.length) await repo.deleteSessions(db, expired);
    if (touch.length) {
      const still = new Set(await repo.touchSessions(db, touch, now));
      for (const id of touch) if (!still.has(id)) found.delete(id);
    }
    return ids.map((id) => ({ ok: found.get(id) ?? null }));
  });

  /** Sessions a hot route resolved lately, by session id (see validateSessionToken). */
  const recentSessions = new Map<string, { at: number; resolved: ResolvedSession }>();
  const forgetUserSessions = (userId: string) => {
    for (const [id, hit] of recentSessions) if (hit.resolved.user.id === userId) recentSessions.delete(id);
  };
  return {
    /** Sends the registration SMS code. A mobile already registered is refused here, by field. */
    async sendRegisterCode(raw: unknown, ctx: RequestContext) {
      const input = parseInput(SendRegisterCodeInput, raw);
      if (await repo.findUserByMobile(db, input.mobile)) {
        throw new AppError('MOBILE_TAKEN', '该手机号已注册', { mobile: '该手机号已注册，请直接登录或找回密码' });
      }
      await rl.consume(RATE_RULES.codePerIp, ctx.ip);
      await rl.consume(RATE_RULES.codePerTarget, `register:sms:${input.mobile}`, '验证码已发送，请 60 秒后再试');
      await rl.consume(RATE_RULES.codePerTargetDaily, `register:sms:${input.mobile}`, '今日获取验证码次数已达上限');
      await db.transaction((tx) => issueCode(tx, 'register', 'sms', input.mobile));
      return { message: `验证码已发送至 ${maskMobile(input.mobile)}` };
    },

    createAccount,

    /**
     * Registers an enterprise member, a provider or a merchant (供货商家, with its district or
     * township): user, organisation and owner membership in one transaction, then signs in.
     * Errors: VALIDATION, USERNAME_TAKEN, MOBILE_TAKEN, EMAIL_TAKEN, ORGANISATION_EXISTS, CODE_INVALID, RATE_LIMITED.
     */
    async register(raw: unknown, ctx: RequestContext, kind: 'cookie' | 'bearer' = 'cookie'): Promise<SessionResult> {
      const input = parseInput(RegisterInput, raw);
      const { session } = await createAccount(input, ctx, {
        sessionKind: kind,
        auditData: { accountType: input.accountType },
        conflicts: async () => {
          const org = await organisations.findByUscc(input.accountType, input.uscc);
          return org ? [{ code: 'ORGANISATION_EXISTS', field: 'uscc', message: '该统一社会信用代码已注册，请联系单位管理员邀请您加入' }] : [];
        },
        create: async (tx, user) => {
          const organisation = await organisations.createWithOwner(
            tx,
            { kind: input.accountType, fullName: input.organisationName, uscc: input.uscc, regionCode: input.regionCode ?? null },
            user.id,
          );
          return {
            value: organisation,
            organisationId: organisation.id,
            welcome: {
              title: '欢迎加入帮扶平台',
              body:
                input.accountType === 'merchant'
                  ? `${input.organisationName} 的商家账号已开通。您可以在商家中心发布商品、上传商品图片。`
                  : `${input.organisationName} 的账号已开通。您可以在用户中心完善资料、绑定银行卡。`,
              link: '/account',
            },
          };
        },
      });
      return session;
    },

    /**
     * Signs in with username, mobile or e-mail. Never says which of identifier or password was wrong.
     * Limits: 30 tries per IP, 5 failures per account per 15 minutes. The account bucket is keyed on the
     * account once resolved (every spelling of one mobile is one account) or on the normalised identifier
     * when none matches, and a try takes its point *before* the password is checked, so concurrent tries
     * cannot all be verified against one remaining point. The right password empties the bucket.
     * Errors: VALIDATION, RATE_LIMITED, INVALID_CREDENTIALS, ACCOUNT_DISABLED.
     */
    async login(raw: unknown, ctx: RequestContext, kind: 'cookie' | 'bearer' = 'cookie'): Promise<SessionResult> {
      const input = parseInput(LoginInput, raw);
      await rl.consume(loginPerIp, ctx.ip, '登录尝试太频繁，请稍后再试');
      const user = await findUserByIdentifier(db, input.identifier);
      const accountKey = user ? `user:${user.id}` : `id:${normaliseIdentifier(input.identifier)}`;
      await rl.consume(RATE_RULES.loginFailuresPerAccount, accountKey, '密码错误次数过多，请 15 分钟后再试或找回密码');
      // A generated account not yet activated hears the same as a wrong password, in the same time (no telling
      // accounts apart); the login page links to 激活账号 for everyone.
      const ok =
        user && !hasNoPassword(user.passwordHash) ? await verifyPassword(user.passwordHash, input.password) : (await spendVerifyTime(input.password), false);
      if (!user || !ok) {
        throw new AppError('INVALID_CREDENTIALS', '账号或密码错误（密码区分大小写）', { password: '账号或密码错误（密码区分大小写）' });
      }
      if (user.status === 'disabled') throw new AppError('ACCOUNT_DISABLED', '该账号已被停用，请联系平台客服');
      await rl.reset(RATE_RULES.loginFailuresPerAccount, accountKey);
      return db.transaction(async (tx) => {
        await audit(tx, user.id, 'account.login', 'user', user.id, ctx.ip);
        return startSession(tx, user, ctx, kind);
      });
    },

    /**
     * 短信登录, step 1: sends a sign-in code to the mobile, by SMS, when an active account has that mobile.
     * Answers the same, in about the same time, whether or not it has one (no telling accounts apart). The
     * registration code's limits: 20 per IP an hour, one per mobile a minute, 10 per mobile a day.
     * Errors: VALIDATION, RATE_LIMITED.
     */
    async requestLoginCode(raw: unknown, ctx: RequestContext) {
      const input = parseInput(RequestLoginCodeInput, raw);
      await rl.consume(RATE_RULES.codePerIp, ctx.ip);
      await rl.consume(RATE_RULES.codePerTarget, `login:sms:${input.mobile}`, '验证码已发送，请 60 秒后再试');
      await rl.consume(RATE_RULES.codePerTargetDaily, `login:sms:${input.mobile}`, '今日获取验证码次数已达上限');
      await db.transaction(async (tx) => {
        const user = await repo.findUserByMobile(tx, input.mobile);
        if (user?.status === 'active') await issueCode(tx, 'login', 'sms', input.mobile);
        // No account: the same transaction reads what issuing would lock, so the answer takes about as long.
        else await repo.lockLatestCode(tx, 'login', 'sms', input.mobile);
      });
      return loginCodeAccepted(input.mobile);
    },

    /**
     * 短信登录, step 2: signs in with the mobile and its SMS code; the SMS proves the mobile, so accounts
     * with no usable password (activation pending, SMS_ONLY) sign in too. The password login's limits and
     * bucket: 30 tries per IP and 5 failures per account per 15 minutes (a wrong code or password counts
     * in the same bucket; a locked account is locked for both). A wrong code also counts on the code (the
     * 5th ends it); a code signs in once. Errors: VALIDATION, RATE_LIMITED, CODE_INVALID, ACCOUNT_DISABLED.
     */
    async loginWithCode(raw: unknown, ctx: RequestContext, kind: 'cookie' | 'bearer' = 'cookie'): Promise<SessionResult> {
      const input = parseInput(SmsLoginInput, raw);
      await rl.consume(loginPerIp, ctx.ip, '登录尝试太频繁，请稍后再试');
      const found = await repo.findUserByMobile(db, input.mobile);
      const accountKey = found ? `user:${found.id}` : `id:${input.mobile}`;
      await rl.consume(RATE_RULES.loginFailuresPerAccount, accountKey, '验证码错误次数过多，请 15 分钟后再试');
      const outcome = await db.transaction(async (tx) => {
        if (!(await tryCode(tx, 'login', 'sms', input.mobile, input.code))) return 'wrong' as const;
        const user = await repo.findUserByMobile(tx, input.mobile);
        if (!user) return 'wrong' as const;
        if (user.status === 'disabled') return 'disabled' as const;
        await audit(tx, user.id, 'account.login', 'user', user.id, ctx.ip, { method: 'sms' });
        return startSession(tx, user, ctx, kind);
      });
      if (outcome === 'wrong') throw new AppError('CODE_INVALID', CODE_MESSAGE, { code: CODE_MESSAGE });
      if (outcome === 'disabled') throw new AppError('ACCOUNT_DISABLED', '该账号已被停用，请联系平台客服');
      await rl.reset(RATE_RULES.loginFailuresPerAccount, accountKey);
      return outcome;
    },

    /**
     * Resolves a token to the caller, or null when it is unknown, expired, idle too long or disabled.
     * `recentMs` (hot routes under a crowd, the voucher grab: they act only as the individual, so the
     * actor carries no memberships): an answer this node resolved at most that long ago is reused instead
     * of a query per request. Signing out, a password change or reset on this node drops it at once; on
     * another node, or after an operator disables the account, it lives at most `recentMs` (HOT_SESSION_MS).
     */
    async validateSessionToken(token: string | undefined | null, opts: { recentMs?: number } = {}): Promise<ResolvedSession | null> {
      if (!token || token.length > 100) return null;
      const id = sessionIdFromToken(token);
      if (opts.recentMs) {
        const hit = recentSessions.get(id);
        if (hit && performance.now() - hit.at < opts.recentMs) return hit.resolved;
        const resolved = await personalReads.submit('sessions', id);
        if (recentSessions.size >= RECENT_SESSIONS_MAX) recentSessions.clear();
        if (resolved) recentSessions.set(id, { at: performance.now(), resolved });
        else recentSessions.delete(id);
        return resolved;
      }
      return resolveSession(id);
    },

    /**
     * The actor of a user without a session, for work the platform does on someone's behalf (demo
     * seeding, scheduled jobs). Never reachable from a request.
     */
    async actorForUser(userId: string): Promise<Actor> {
      const user = await repo.findUserById(db, userId);
      if (!user) throw new AppError('NOT_FOUND', '用户不存在');
      const list = (await organisations.membershipsOf(user.id)) as MembershipView[];
      return {
        userId: user.id,
        username: user.username,
        sessionId: 'system',
        memberships: list,
        organisation: list.find((m) => m.status === 'active'),
        isOperator: list.some((m) => m.kind === 'platform' && m.status === 'active'),
      };
    },

    async logout(token: string | undefined | null) {
      if (!token) return;
      recentSessions.delete(sessionIdFromToken(token));
      await repo.deleteSession(db, sessionIdFromToken(token));
    },

    /**
     * Opens accounts for people the platform invites, in the caller's transaction, without hashing a
     * password: a mobile with no account gets a user with no usable password, the membership and an
     * activation code (7 days, stored as SHA-256) in its SMS; a mobile that has an account gets the
     * membership and an SMS without a code. SMS go through the notifier in the same transaction.
     * One answer per person, in order. 10,000 people are a few multi-row statements.
     */
    async generateAccounts(tx: Tx, people: readonly GeneratedPerson[]): Promise<{ userId: string; created: boolean; code: string | null }[]> {
      if (!people.length) return [];
      const now = clock.now();
      const mobiles = [...new Set(people.map((p) => p.mobile))];
      const existing = new Map((await repo.usersByMobiles(tx, mobiles)).map((u) => [u.mobile, u]));
      const toCreate = new Map<string, GeneratedPerson>();
      for (const p of people) if (!existing.has(p.mobile) && !toCreate.has(p.mobile)) toCreate.set(p.mobile, p);
      const created = new Map<string, { id: string; username: string; code: string }>();
      // A taken username (rare: a USCC someone chose as a login) gets a generated one on the second pass.
      for (const pass of [0, 1]) {
        const rows = [...toCreate.values()].filter((p) => !created.has(p.mobile));
        if (!rows.length) break;
        const values = rows.map((p) => ({
          username: pass === 0 && p.username ? p.username : `u${p.mobile.slice(-4)}${randomInt(10_000_000, 99_999_999)}`,
          mobile: p.mobile,
          displayName: p.displayName.slice(0, 40),
          passwordHash: NOT_ACTIVATED,
        }));
        for (const u of await repo.insertUsers(tx, values, now)) created.set(u.mobile, { id: u.id, username: u.username, code: '' });
      }
      const activations = [];
      for (const [mobile, c] of created) {
        const { code, hash } = newActivationCode();
        c.code = code;
        const organisationId = toCreate.get(mobile)!.organisationId;
        activations.push({ userId: c.id, organisationId, codeHash: hash, expiresAt: new Date(now.getTime() + ACTIVATION_TTL_MS) });
      }
      if (activations.length) await repo.insertActivations(tx, activations, now);
      const answers = people.map((p) => {
        const fresh = created.get(p.mobile);
        const old = existing.get(p.mobile);
        // A mobile taken between the read and the insert (another request) joins like an existing one.
        if (!fresh && !old) throw new AppError('MOBILE_TAKEN', `手机号 ${maskMobile(p.mobile)} 刚被注册，请重试`);
        const userId = fresh?.id ?? old!.id;
        const first = fresh && toCreate.get(p.mobile) === p;
        // The login the SMS names: the username asked for (or its replacement); otherwise the mobile.
        return { person: p, userId, created: Boolean(first), code: first ? fresh.code : null, login: first && p.username ? fresh.username : p.mobile };
      });
      await organisations.addMembers(
        tx,
        answers.map((a) => ({ userId: a.userId, organisationId: a.person.organisationId, role: a.person.role })),
      );
      await notifier.sendSmsMany(
        answers.map((a) => ({ to: a.person.mobile, text: a.person.sms({ login: a.login, code: a.code }) })),
        tx,
      );
      return answers.map(({ userId, created: c, code }) => ({ userId, created: c, code }));
    },

    /**
     * A new activation code for a generated account (resend, or a superior's password reset), in the
     * caller's transaction: the open code ends, the SMS carries the new one. `resetPassword`: the
     * password stops working and every session ends until the code sets a new one.
     */
    async reissueActivation(
      tx: Tx,
      userId: string,
      organisationId: string,
      sms: (a: { login: string; code: string }) => string,
      opts: { resetPassword: boolean },
    ) {
      const user = await repo.findUserById(tx, userId);
      if (!user) throw new AppError('NOT_FOUND', '账号不存在');
      // One SMS a minute and ten a day per account and kind: a button pressed again and again sends no more.
      const key = `activation:${opts.resetPassword ? 'reset' : 'resend'}:${userId}`;
      await rl.consumeAll([
        { rule: RATE_RULES.codePerTarget, key, message: '激活短信刚刚发送过，请 60 秒后再试' },
        { rule: RATE_RULES.codePerTargetDaily, key, message: '该账号今日的激活短信已达上限，请明天再试' },
      ]);
      const now = clock.now();
      await repo.closeActivations(tx, userId, now);
      const { code, hash } = newActivationCode();
      await repo.insertActivations(tx, [{ userId, organisationId, codeHash: hash, expiresAt: new Date(now.getTime() + ACTIVATION_TTL_MS) }], now);
      if (opts.resetPassword) {
        await repo.setPassword(tx, userId, NOT_ACTIVATED, now);
        await repo.deleteUserSessions(tx, userId);
        forgetUserSessions(userId);
      }
      await notifier.sendSms({ to: user.mobile, text: sms({ login: user.username, code }) }, tx);
    },

    /** Mobiles (11 digits) that already sign in an account. */
    async existingMobiles(q: DbOrTx, mobiles: readonly string[]): Promise<Set<string>> {
      const unique = [...new Set(mobiles)];
      const found = new Set<string>();
      for (let i = 0; i < unique.length; i += 1000) for (const u of await repo.usersByMobiles(q, unique.slice(i, i + 1000))) found.add(u.mobile);
      return found;
    },

    /** Per user: 'active' (a password is set), 'pending' (an open code), 'expired' (codes ran out: resend). */
    async activationStates(userIds: readonly string[], q: DbOrTx = db): Promise<Map<string, 'active' | 'pending' | 'expired'>> {
      const out = new Map<string, 'active' | 'pending' | 'expired'>();
      const unique = [...new Set(userIds)];
      const now = clock.now();
      for (let i = 0; i < unique.length; i += 1000) {
        for (const r of await repo.activationStates(q, unique.slice(i, i + 1000), now)) {
          out.set(r.userId, r.passwordHash !== NOT_ACTIVATED ? 'active' : r.open ? 'pending' : 'expired');
        }
      }
      return out;
    },

    /**
     * 激活: the first sign-in of a generated account. The login (or mobile) and the SMS code set the
     * password (one argon2 hash, now) and start a session. A wrong code counts; the 5th ends the code.
     * Errors: VALIDATION, RATE_LIMITED, ACTIVATION_INVALID (unknown account, wrong, expired or used code).
     */
    async activate(raw: unknown, ctx: RequestContext, kind: 'cookie' | 'bearer' = 'cookie'): Promise<SessionResult & { organisationId: string | null }> {
      const input = parseInput(ActivateInput, raw);
      await rl.consume(RATE_RULES.activatePerIp, ctx.ip, '尝试太频繁，请稍后再试');
      const user = await findUserByIdentifier(db, input.identifier);
      await rl.consume(
        RATE_RULES.loginFailuresPerAccount,
        user ? `activate:${user.id}` : `activate-id:${normaliseIdentifier(input.identifier)}`,
        '激活码错误次数过多，请 15 分钟后再试',
      );
      const canonical = normaliseActivationCode(input.code);
      const wrong = () => new AppError('ACTIVATION_INVALID', ACTIVATION_WRONG, { code: ACTIVATION_WRONG });
      // Hashed before the account is looked at: an unknown login takes as long as a known one.
      const passwordHash = await hashPassword(input.newPassword);
      if (!user || !canonical) throw wrong();
      const typed = Buffer.from(activationHash(canonical), 'hex');
      const matches = (codeHash: string) => {
        const stored = Buffer.from(codeHash, 'hex');
        return stored.length === typed.length && timingSafeEqual(stored, typed);
      };
      const outcome = await db.transaction(async (tx) => {
        const open = await repo.lockOpenActivation(tx, user.id);
        const now = clock.now();
        if (!open || activationState(open, now) !== 'valid') {
          // Why a code no longer works is told only to whoever holds it: without it the answer is the wrong
          // code's, so activation tells no account (activated, expired or never generated) from an unknown one.
          const last = open ?? (await repo.latestActivation(tx, user.id));
          if (!last || !matches(last.codeHash)) return { error: ACTIVATION_WRONG };
          if (last.failedAttempts >= ACTIVATION_MAX_FAILURES) return { error: ACTIVATION_LOCKED };
          const state = activationState(last, now);
          return { error: state === 'valid' ? ACTIVATION_WRONG : ACTIVATION_MESSAGES[state] };
        }
        const row = open;
        if (!matches(row.codeHash)) {
          const failed = row.failedAttempts + 1;
          await repo.updateActivation(tx, row.id, failed >= ACTIVATION_MAX_FAILURES ? { failedAttempts: failed, usedAt: now } : { failedAttempts: failed });
          return { error: ACTIVATION_WRONG };
        }
        if (user.status === 'disabled') return { error: '该账号已被停用，请联系平台客服' };
        await repo.updateActivation(tx, row.id, { usedAt: now });
        await repo.setPassword(tx, user.id, passwordHash, now);
        await audit(tx, user.id, 'account.activate', 'user', user.id, ctx.ip, undefined, row.organisationId);
        const session = await startSession(tx, user, ctx, kind);
        return { session: { ...session, organisationId: row.organisationId } };
      });
      if ('error' in outcome) throw new AppError('ACTIVATION_INVALID', outcome.error!, { code: outcome.error! });
      await rl.reset(RATE_RULES.loginFailuresPerAccount, `activate:${user.id}`);
      return outcome.session!;
    },

    /** Always answers the same, whether or not an account has that mobile or e-mail. */
    async requestPasswordReset(raw: unknown, ctx: RequestContext) {
      const input = parseInput(PasswordResetRequestInput, raw);
      await rl.consume(RATE_RULES.codePerIp, ctx.ip);
      await rl.consume(RATE_RULES.codePerTarget, `reset:${input.channel}:${input.target}`, '验证码已发送，请 60 秒后再试');
      await rl.consume(RATE_RULES.codePerTargetDaily, `reset:${input.channel}:${input.target}`, '今日获取验证码次数已达上限');
      const user = input.channel === 'sms' ? await repo.findUserByMobile(db, input.target) : await repo.findUserByEmail(db, input.target);
      if (user && user.status === 'active') {
        await db.transaction((tx) => issueCode(tx, 'reset_password', input.channel, input.target));
      }
      return RESET_ACCEPTED;
    },

    /** Sets a new password with a reset code and ends every session of the account. */
    async confirmPasswordReset(raw: unknown, ctx: RequestContext) {
      const input = parseInput(PasswordResetConfirmInput, raw);
      const passwordHash = await hashPassword(input.newPassword);
      const done = await db.transaction(async (tx) => {
        if (!(await tryCode(tx, 'reset_password', input.channel, input.target, input.code))) return false;
        const user = input.channel === 'sms' ? await repo.findUserByMobile(tx, input.target) : await repo.findUserByEmail(tx, input.target);
        if (!user) return false;
        await repo.setPassword(tx, user.id, passwordHash, clock.now());
        await repo.deleteUserSessions(tx, user.id);
        forgetUserSessions(user.id);
        await audit(tx, user.id, 'account.password_reset', 'user', user.id, ctx.ip, { channel: input.channel });
        return true;
      });
      if (!done) throw new AppError('CODE_INVALID', CODE_MESSAGE, { code: CODE_MESSAGE });
      return { message: '密码已重置，请使用新密码登录' };
    },

    /** Changes the password (current one required) and ends the account's other sessions. */
    async changePassword(actor: Actor | null, raw: unknown, ctx: RequestContext) {
      const a = requireActor(actor);
      const input = parseInput(ChangePasswordInput, raw);
      const user = await repo.findUserById(db, a.userId);
      if (!user || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
        throw new AppError('INVALID_CREDENTIALS', '当前密码不正确', { currentPassword: '当前密码不正确' });
      }
      const passwordHash = await hashPassword(input.newPassword);
      await db.transaction(async (tx) => {
        await repo.setPassword(tx, a.userId, passwordHash, clock.now());
        await repo.deleteUserSessions(tx, a.userId, a.sessionId);
        forgetUserSessions(a.userId);
        await audit(tx, a.userId, 'account.password_change', 'user', a.userId, ctx.ip);
      });
      return { message: '密码已修改，其他设备上的登录已退出' };
    },

    async updateProfile(actor: Actor | null, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(UpdateProfileInput, raw);
      if (input.email) {
        const other = await repo.findUserByEmail(db, input.email);
        if (other && other.id !== a.userId) throw new AppError('EMAIL_TAKEN', '该邮箱已被注册', { email: '该邮箱已被注册' });
      }
      const changes = {
        ...(input.displayName !== undefined ? { displayName: input.displayName || null } : {}),
        ...('email' in (raw as object) ? { email: input.email ?? null } : {}),
        ...(input.locale ? { locale: input.locale } : {}),
      };
      if (Object.keys(changes).length === 0) throw new AppError('VALIDATION', '没有要修改的内容');
      const row = await repo.updateUser(db, a.userId, changes).catch((e: unknown) => {
        throw uniqueViolationToField(e) ?? e;
      });
      return toPublicUser(row!);
    },

    /** Switches the organisation the session acts for; only one the user belongs to. */
    async switchOrganisation(actor: Actor | null, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(SwitchOrganisationInput, raw);
      const m = a.memberships.find((x) => x.organisationId === input.organisationId && x.status === 'active');
      if (!m) throw new AppError('FORBIDDEN', '您不是该组织的成员', { organisationId: '您不是该组织的成员' });
      await repo.setActiveOrganisation(db, a.sessionId, m.organisationId);
      return m;
    },

    /**
     * Whether `password` is the user's login password: other contexts ask before a sensitive change
     * (the wallet's security password). A missing user answers false.
     */
    async checkLoginPassword(userId: string, password: string) {
      const user = await repo.findUserById(db, userId);
      return Boolean(user && (await verifyPassword(user.passwordHash, password)));
    },

    /** The mobile an SMS about the user's money goes to (undefined when the user is gone). */
    async mobileOf(userId: string, q: DbOrTx = db) {
      return (await repo.findUserById(q, userId))?.mobile;
    },

    /** Usernames by user id, for other contexts' lists (an unknown id is left out). */
    async usernamesOf(ids: string[], q: DbOrTx = db): Promise<Map<string, string>> {
      const unique = [...new Set(ids)];
      const rows = unique.length ? await repo.listUsernames(q, unique) : [];
      return new Map(rows.map((r) => [r.id, r.username]));
    },

    async getUser(actor: Actor | null) {
      const a = requireActor(actor);
      const u = await repo.findUserById(db, a.userId);
      if (!u) throw new AppError('NOT_FOUND', '用户不存在');
      return toPublicUser(u);
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;

/** Maps a unique-index violation (a race lost to a concurrent request) to the field it concerns. */
function uniqueViolationToField(e: unknown): AppError | undefined {
  const err = e as { code?: string; constraint_name?: string; constraint?: string; cause?: unknown };
  const inner = (err?.code ? err : (err?.cause as typeof err)) ?? {};
  if (inner.code !== '23505') return undefined;
  const c = inner.constraint_name ?? inner.constraint ?? '';
  if (c.includes('username')) return new AppError('USERNAME_TAKEN', '该用户名已被注册', { username: '该用户名已被注册' });
  if (c.includes('mobile')) return new AppError('MOBILE_TAKEN', '该手机号已注册', { mobile: '该手机号已注册，请直接登录或找回密码' });
  if (c.includes('email')) return new AppError('EMAIL_TAKEN', '该邮箱已被注册', { email: '该邮箱已被注册' });
  if (c.includes('uscc'))
    return new AppError('ORGANISATION_EXISTS', '该统一社会信用代码已注册', { uscc: '该统一社会信用代码已注册，请联系单位管理员邀请您加入' });
  return new AppError('CONFLICT', '数据已被修改，请重试');
}
