import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
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
} from '../../core/accounts/accounts.schema';
import type { SessionResult } from '../../core/accounts/accounts.service';
import { requireActor } from '../../core/shared/actor';
import { SESSION_COOKIE, type ApiEnv, type ApiRouter } from './context';
import { optionalAuth } from './openapi-document';
import { authed, errorResponses, jsonBody, Me, Membership, Message, PublicUser, SessionResponse, json } from './schemas';

const sendRegisterCode = createRoute({
  method: 'post',
  path: '/auth/register-code',
  tags: ['auth'],
  summary: '发送注册短信验证码',
  request: { body: jsonBody(SendRegisterCodeInput) },
  responses: { 200: json(Message, 'Code sent (to the sandbox outbox in development)'), ...errorResponses(400, 409, 429) },
});

const register = createRoute({
  method: 'post',
  path: '/auth/register',
  tags: ['auth'],
  summary: '注册企业会员或服务机构',
  description: 'Creates the user, the organisation (owner role) and a session. Sets the session cookie and returns a bearer token.',
  request: { body: jsonBody(RegisterInput) },
  responses: { 201: json(SessionResponse, 'Registered and signed in'), ...errorResponses(400, 409, 429) },
});

const login = createRoute({
  method: 'post',
  path: '/auth/login',
  tags: ['auth'],
  summary: '登录（用户名、手机号或邮箱 + 密码）',
  request: { body: jsonBody(LoginInput) },
  responses: { 200: json(SessionResponse, 'Signed in'), ...errorResponses(400, 401, 403, 429) },
});

const requestLoginCode = createRoute({
  method: 'post',
  path: '/auth/login-code',
  tags: ['auth'],
  summary: '短信登录：发送登录验证码',
  description:
    'Sends a 6-digit sign-in code by SMS (to the sandbox outbox in development) when an active account has the mobile. Answers the same whether or not one has it. Limits: one code per mobile a minute, 10 a day, 20 per client address an hour.',
  request: { body: jsonBody(RequestLoginCodeInput) },
  responses: { 200: json(Message, 'Accepted (the same answer for every mobile)'), ...errorResponses(400, 429) },
});

const loginWithCode = createRoute({
  method: 'post',
  path: '/auth/login-sms',
  tags: ['auth'],
  summary: '短信登录（手机号 + 短信验证码）',
  description:
    'Signs in with the mobile and the code from POST /auth/login-code, like POST /auth/login: sets the session cookie and returns a bearer token. Accounts without a password (not yet activated, or SMS-only) sign in too. A code works once; a wrong one counts against the code (the 5th ends it) and against the account (5 failures per 15 minutes, shared with the password login).',
  request: { body: jsonBody(SmsLoginInput) },
  responses: { 200: json(SessionResponse, 'Signed in'), ...errorResponses(400, 403, 429) },
});

const activate = createRoute({
  method: 'post',
  path: '/auth/activate',
  tags: ['auth'],
  summary: '激活平台开通的账号（短信激活码 + 设置密码）',
  description:
    'The first sign-in of an account the platform generated (a budget unit management account, a purchaser trading account): the login or mobile and the activation code from the SMS set the password and start a session. `organisationId`: the organisation the account was opened for.',
  request: { body: jsonBody(ActivateInput) },
  responses: { 200: json(SessionResponse.extend({ organisationId: z.uuid().nullable() }), 'Activated and signed in'), ...errorResponses(400, 429) },
});

const logout = createRoute({
  method: 'post',
  path: '/auth/logout',
  tags: ['auth'],
  summary: '退出登录',
  description: 'Ends the session of the cookie or bearer token, if any; without one it still answers 204.',
  security: optionalAuth,
  responses: { 204: { description: 'Session ended' } },
});

const me = createRoute({
  method: 'get',
  path: '/auth/me',
  tags: ['auth'],
  summary: '当前用户、所属组织与当前组织',
  security: authed,
  responses: { 200: json(Me, 'The caller'), ...errorResponses(401) },
});

const resetRequest = createRoute({
  method: 'post',
  path: '/auth/password-reset/request',
  tags: ['auth'],
  summary: '找回密码：发送验证码（手机或邮箱）',
  description: 'Answers the same whether or not an account exists.',
  request: { body: jsonBody(PasswordResetRequestInput) },
  responses: { 202: json(Message, 'Accepted'), ...errorResponses(400, 429) },
});

const resetConfirm = createRoute({
  method: 'post',
  path: '/auth/password-reset/confirm',
  tags: ['auth'],
  summary: '找回密码：用验证码设置新密码',
  request: { body: jsonBody(PasswordResetConfirmInput) },
  responses: { 200: json(Message, 'Password set; every session of the account ended'), ...errorResponses(400) },
});

const changePassword = createRoute({
  method: 'post',
  path: '/auth/password',
  tags: ['auth'],
  summary: '修改登录密码',
  security: authed,
  request: { body: jsonBody(ChangePasswordInput) },
  responses: { 200: json(Message, 'Changed; other sessions ended'), ...errorResponses(400, 401) },
});

const updateProfile = createRoute({
  method: 'patch',
  path: '/auth/profile',
  tags: ['auth'],
  summary: '修改个人资料',
  security: authed,
  request: { body: jsonBody(UpdateProfileInput) },
  responses: { 200: json(PublicUser, 'Updated'), ...errorResponses(400, 401, 409) },
});

const switchOrganisation = createRoute({
  method: 'post',
  path: '/auth/active-organisation',
  tags: ['auth'],
  summary: '切换当前组织',
  security: authed,
  request: { body: jsonBody(SwitchOrganisationInput) },
  responses: { 200: json(Membership, 'Now acting for this organisation'), ...errorResponses(400, 401, 403) },
});

/** Sets the session cookie of a sign-in or registration (the bearer token travels in the body). */
export function setSessionCookie(c: Context<ApiEnv>, s: SessionResult) {
  setCookie(c, SESSION_COOKIE, s.token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: c.var.platform.config.secureCookies,
    path: '/',
    expires: s.expiresAt,
  });
}

export const requestContext = (c: Context<ApiEnv>) => ({ ip: c.var.ip, userAgent: c.req.header('user-agent') });

export function registerAuthRoutes(api: ApiRouter) {
  api.openapi(sendRegisterCode, async (c) => c.json(await c.var.services.accounts.sendRegisterCode(c.req.valid('json'), requestContext(c)), 200));

  api.openapi(register, async (c) => {
    const s = await c.var.services.accounts.register(c.req.valid('json'), requestContext(c));
    setSessionCookie(c, s);
    return c.json(s, 201);
  });

  api.openapi(login, async (c) => {
    const s = await c.var.services.accounts.login(c.req.valid('json'), requestContext(c));
    setSessionCookie(c, s);
    return c.json(s, 200);
  });

  api.openapi(requestLoginCode, async (c) => c.json(await c.var.services.accounts.requestLoginCode(c.req.valid('json'), requestContext(c)), 200));

  api.openapi(loginWithCode, async (c) => {
    const s = await c.var.services.accounts.loginWithCode(c.req.valid('json'), requestContext(c));
    setSessionCookie(c, s);
    return c.json(s, 200);
  });

  api.openapi(activate, async (c) => {
    const s = await c.var.services.accounts.activate(c.req.valid('json'), requestContext(c));
    setSessionCookie(c, s);
    return c.json(s, 200);
  });

  api.openapi(logout, async (c) => {
    await c.var.services.accounts.logout(c.var.token);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  });

  api.openapi(me, async (c) => {
    const actor = requireActor(c.var.actor);
    const user = await c.var.services.accounts.getUser(actor);
    return c.json({ user, memberships: actor.memberships, activeOrganisation: actor.organisation ?? null, isOperator: actor.isOperator }, 200);
  });

  api.openapi(resetRequest, async (c) => c.json(await c.var.services.accounts.requestPasswordReset(c.req.valid('json'), requestContext(c)), 202));
  api.openapi(resetConfirm, async (c) => c.json(await c.var.services.accounts.confirmPasswordReset(c.req.valid('json'), requestContext(c)), 200));
  api.openapi(changePassword, async (c) => c.json(await c.var.services.accounts.changePassword(c.var.actor, c.req.valid('json'), requestContext(c)), 200));
  api.openapi(updateProfile, async (c) => c.json(await c.var.services.accounts.updateProfile(c.var.actor, await c.req.json()), 200));
  api.openapi(switchOrganisation, async (c) => c.json(await c.var.services.accounts.switchOrganisation(c.var.actor, c.req.valid('json')), 200));
}
