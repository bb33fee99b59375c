import { createRoute, z } from '@hono/zod-openapi';
import { UNIT_KINDS } from '../../core/monitoring/monitoring.schema';
import { requireActor } from '../../core/shared/actor';
import { setSessionCookie, requestContext } from './auth.routes';
import type { ApiRouter } from './context';
import { authed, errorResponses, json, jsonBody, named } from './schemas';

const TAGS = ['消费扶贫监测'];
const Kind = z.enum(UNIT_KINDS);
const Role = z.enum(['admin', 'auditor', 'reporter']);

const MeView = z
  .object({
    userId: z.string(),
    organisationId: z.string(),
    unitName: z.string(),
    kind: Kind,
    kindLabel: z.string(),
    role: Role,
    roleLabel: z.string(),
    cityCode: z.string().nullable(),
    cityName: z.string().nullable(),
    departmentId: z.string().nullable(),
    departmentName: z.string().nullable(),
    parentName: z.string().nullable(),
    switchTo: z.string().nullable().openapi({ description: '当前代表的组织不是监测单位时：应切换到的单位名称' }),
    can: z.object({ manageAccounts: z.boolean(), review: z.boolean(), report: z.boolean(), rollup: z.boolean(), settings: z.boolean() }),
  })
  .openapi('MonitoringMe');
const Opened = named(
  z.object({ organisationId: z.string(), userId: z.string(), name: z.string().optional(), kind: Kind.optional(), role: Role.optional() }),
  'MonitoringOpenedAccount',
);
const Row = z
  .object({
    type: z.enum(['member', 'unit']),
    id: z.string(),
    name: z.string(),
    kind: Kind.nullable(),
    kindLabel: z.string(),
    role: Role.nullable(),
    roleLabel: z.string(),
    cityName: z.string().nullable(),
    contactName: z.string(),
    mobile: z.string().openapi({ description: '管理员可见完整手机号，审核员看到打码号码' }),
    createdAt: z.string(),
    records: z.number().int(),
  })
  .openapi('MonitoringAccount');
const AccountPage = z
  .object({ items: z.array(Row), total: z.number().int(), page: z.number().int(), pageSize: z.number().int(), manager: z.boolean() })
  .openapi('MonitoringAccountPage');
const Person = {
  contactName: z.string().openapi({ description: '联系人' }),
  mobile: z.string().openapi({ description: '手机号（登录用，一个手机号只能开通一个监测账号）' }),
};
const CreateBody = z
  .object({
    type: z.string().openapi({ description: 'auditor 审核员 · admin 管理员 · channel 批发市场/连锁商超/电商平台 · sub 批发商/门店' }),
    kind: z.string().optional().openapi({ description: 'type=channel 时：market 批发市场 · chain 连锁商超 · ecommerce 电商平台' }),
    name: z.string().optional().openapi({ description: '单位名称（channel、sub）' }),
    ...Person,
  })
  .openapi('MonitoringAccountInput');
const RegisterBody = z
  .object({
    name: z.string(),
    ...Person,
    cityCode: z.string().openapi({ description: '注册地（广东省地级市，GB/T 2260，如 440100）' }),
    code: z.string().openapi({ description: '短信验证码（POST /auth/register-code）' }),
    agreeTerms: z
      .any()
      .optional()
      .openapi({ type: 'boolean', description: '须为 true：已阅读并同意《用户协议》和《隐私政策》（GET /legal/terms、/legal/privacy）' }),
  })
  .openapi('MonitoringRegisterInput');
const Registered = z.object({ organisationId: z.string(), userId: z.string(), token: z.string(), expiresAt: z.string() }).openapi('MonitoringRegistered');
const listQuery = z.object({
  kind: z.string().optional().openapi({ description: '类型：auditor、admin 或单位类型（market、chain…）' }),
  q: z.string().optional().openapi({ description: '单位名称、联系人或手机号' }),
  page: z.string().optional(),
  pageSize: z.string().optional(),
});

const routes = {
  me: createRoute({
    operationId: 'getMonitoringMe',
    method: 'get',
    path: '/monitoring/me',
    tags: TAGS,
    summary: '我的监测账号：所在单位、归口部门、身份和可做的事（没有监测账号时为 null）',
    security: authed,
    responses: { 200: json(MeView.nullable(), 'The monitoring account, or null'), ...errorResponses(401) },
  }),
  list: createRoute({
    operationId: 'listMonitoringAccounts',
    method: 'get',
    path: '/monitoring/accounts',
    tags: TAGS,
    summary: '账号管理：本部门的管理员、审核员及所辖单位；市场/商超为其批发商、门店',
    security: authed,
    request: { query: listQuery },
    responses: { 200: json(AccountPage, 'Accounts'), ...errorResponses(400, 401, 'MONITORING_NOT_A_MEMBER', 'MONITORING_ROLE_REQUIRED') },
  }),
  create: createRoute({
    operationId: 'createMonitoringAccount',
    method: 'post',
    path: '/monitoring/accounts',
    tags: TAGS,
    summary: '开通账号：审核员、管理员（部门管理员）；批发市场、连锁商超、电商平台（市管理员；省管理员开通单列市场）；批发商、门店（市场、商超）',
    security: authed,
    request: { body: jsonBody(CreateBody) },
    responses: {
      201: json(Opened, 'Opened'),
      ...errorResponses(400, 401, 'MONITORING_NOT_A_MEMBER', 'MONITORING_ROLE_REQUIRED', 'MONITORING_MOBILE_TAKEN'),
    },
  }),
  cities: createRoute({
    operationId: 'createMonitoringCity',
    method: 'post',
    path: '/monitoring/cities',
    tags: TAGS,
    summary: '省管理员开通地级市扶贫部门及其管理员（每市一个）',
    security: authed,
    request: { body: jsonBody(z.object({ cityCode: z.string(), name: z.string(), ...Person }).openapi('MonitoringCityInput')) },
    responses: {
      201: json(Opened, 'Opened'),
      ...errorResponses(400, 401, 409, 'MONITORING_NOT_A_MEMBER', 'MONITORING_ROLE_REQUIRED', 'MONITORING_MOBILE_TAKEN'),
    },
  }),
  register: createRoute({
    operationId: 'registerMonitoringEnterprise',
    method: 'post',
    path: '/monitoring/register',
    tags: TAGS,
    summary: '企业注册监测账号（手机号 + 短信验证码，按注册地归口到地级市扶贫部门；注册后已登录）',
    request: { body: jsonBody(RegisterBody) },
    responses: { 201: json(Registered, 'Registered and signed in'), ...errorResponses(400, 409, 429, 'MONITORING_MOBILE_TAKEN') },
  }),
  registerExisting: createRoute({
    operationId: 'registerExistingMonitoringEnterprise',
    method: 'post',
    path: '/monitoring/register-existing',
    tags: TAGS,
    summary: '已在平台的单位登记为监测填报企业（负责人或管理员，当前代表的单位）',
    security: authed,
    request: { body: jsonBody(z.object({ cityCode: z.string() }).openapi('MonitoringRegisterExistingInput')) },
    responses: { 201: json(Opened, 'Registered'), ...errorResponses(400, 401, 403, 409, 'MONITORING_MOBILE_TAKEN') },
  }),
  departments: createRoute({
    operationId: 'createMonitoringProvince',
    method: 'post',
    path: '/admin/monitoring/departments',
    tags: TAGS,
    summary: '平台运营：开通省级扶贫部门及其第一位管理员（全省一个）',
    security: authed,
    request: {
      body: jsonBody(z.object({ kind: z.literal('province'), name: z.string(), ...Person }).openapi('MonitoringProvinceInput')),
    },
    responses: { 201: json(Opened, 'Opened'), ...errorResponses(400, 401, 403, 409, 'MONITORING_MOBILE_TAKEN') },
  }),
};

/** Monitoring: accounts routes (/api/v1/monitoring/...). */
export function registerMonitoringAccountRoutes(api: ApiRouter) {
  api.openapi(routes.me, async (c) => c.json(await c.var.services.monitoringAccounts.me(requireActor(c.var.actor)), 200));
  api.openapi(routes.list, async (c) => c.json(await c.var.services.monitoringAccounts.listAccounts(c.var.actor, c.req.valid('query')), 200));
  api.openapi(routes.create, async (c) => c.json(await c.var.services.monitoringAccounts.createAccount(c.var.actor, c.req.valid('json')), 201));
  api.openapi(routes.cities, async (c) => c.json(await c.var.services.monitoringAccounts.createCity(c.var.actor, c.req.valid('json')), 201));
  api.openapi(routes.register, async (c) => {
    const r = await c.var.services.monitoringAccounts.registerEnterprise(c.req.valid('json'), requestContext(c));
    setSessionCookie(c, r.session);
    return c.json({ organisationId: r.organisationId, userId: r.userId, token: r.session.token, expiresAt: r.session.expiresAt.toISOString() }, 201);
  });
  api.openapi(routes.registerExisting, async (c) =>
    c.json(await c.var.services.monitoringAccounts.registerExistingOrganisation(c.var.actor, c.req.valid('json')), 201),
  );
  api.openapi(routes.departments, async (c) => c.json(await c.var.services.monitoringAccounts.createDepartment(c.var.actor, c.req.valid('json')), 201));
}
