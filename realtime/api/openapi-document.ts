import type { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { requireActor } from '../../core/shared/actor';
import { ERROR_CODES_MARK } from './schemas';

/**
 * The published API document, completed in one place instead of in each of ~190 route definitions:
 * every operation gets a stable `operationId`, its `security` (an empty list on public operations),
 * and the error answers the shared middleware and validation can give (400 validation, 401/403 for
 * signed-in operations, 404 for path ids, 413/415 for bodies), each with the shared error schema.
 * What a route declares itself (409, 429, other statuses and media types) is kept.
 * The lint (`npm run openapi`) and realtime/api/openapi-document.test.ts hold the document to this.
 */

type Json = Record<string, any>;
type OpenApiDocument = ReturnType<OpenAPIHono['getOpenAPI31Document']>;

/** Paths whose POST bodies are not JSON and that are exempt from the JSON-only rule (see app.ts). */
export const NON_JSON_BODY_PATHS = [
  /^\/api\/v1\/payments\/notify/,
  /^\/api\/v1\/sandbox\/bank\/decide/,
  /^\/api\/v1\/files$/,
  /^\/api\/v1\/imports$/,
  /^\/api\/v1\/vouchers\/campaigns\/[^/]+\/merchants\/import$/,
];

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;
const UNSAFE = new Set(['post', 'put', 'patch']);

/** The standard error answers, published once under components/responses and referenced by name. */
const STANDARD_ERRORS: Record<number, { name: string; description: string; example: { code: string; message: string; fields?: Record<string, string> } }> = {
  400: {
    name: 'ValidationError',
    description: '输入不正确（VALIDATION、CODE_INVALID），fields 按字段给出中文说明',
    example: { code: 'VALIDATION', message: '请检查填写的内容', fields: { mobile: '请填写正确的 11 位大陆手机号' } },
  },
  401: {
    name: 'Unauthenticated',
    description: '未登录、会话已失效或账号密码错误（UNAUTHENTICATED、INVALID_CREDENTIALS）',
    example: { code: 'UNAUTHENTICATED', message: '请先登录' },
  },
  403: {
    name: 'Forbidden',
    description: '已登录但无权操作，或跨站表单请求（FORBIDDEN、ACCOUNT_DISABLED）',
    example: { code: 'FORBIDDEN', message: '无权操作' },
  },
  404: { name: 'NotFound', description: '不存在或对调用方不可见（NOT_FOUND）', example: { code: 'NOT_FOUND', message: '记录不存在' } },
  409: {
    name: 'Conflict',
    description: '与当前状态或已有数据冲突（如 CONFLICT、INVALID_TRANSITION、INSUFFICIENT_FUNDS）',
    example: { code: 'INVALID_TRANSITION', message: '当前状态不能进行此操作' },
  },
  410: {
    name: 'Gone',
    description: '已过期、不再有效（如 VOUCHER_CODE_EXPIRED、VOUCHER_EXPIRED）',
    example: { code: 'VOUCHER_CODE_EXPIRED', message: '付款码已过期，请让顾客刷新付款码' },
  },
  422: {
    name: 'Unprocessable',
    description: '格式正确但业务上不能处理（如 VOUCHER_CODE_INVALID、VOUCHER_NONE_APPLICABLE、VOUCHER_BUDGET_EXCEEDED）',
    example: { code: 'VOUCHER_NONE_APPLICABLE', message: '顾客没有可用的消费券' },
  },
  413: { name: 'PayloadTooLarge', description: '请求体或文件过大（PAYLOAD_TOO_LARGE）', example: { code: 'PAYLOAD_TOO_LARGE', message: '文件不能超过 10 MB' } },
  415: {
    name: 'UnsupportedMediaType',
    description: '请求体类型不受支持（JSON 接口须为 application/json）',
    example: { code: 'UNSUPPORTED_MEDIA_TYPE', message: '请求体必须是 application/json' },
  },
  429: {
    name: 'RateLimited',
    description: '操作太频繁（RATE_LIMITED），retryAfterSeconds 与 Retry-After 给出等待秒数',
    example: { code: 'RATE_LIMITED', message: '操作太频繁，请稍后再试' },
  },
};

/** Security of an operation that works with or without a session (e.g. signing out). */
export const optionalAuth: Record<string, string[]>[] = [{}, { cookie: [] }, { bearer: [] }];

/** True when an operation's security requires a session (a list without the `{}` alternative). */
export const requiresSession = (security: unknown): boolean =>
  Array.isArray(security) && security.length > 0 && !security.some((r) => Object.keys(r ?? {}).length === 0);

const signedIn: MiddlewareHandler = async (c, next) => {
  requireActor(c.get('actor'));
  await next();
};

/**
 * Makes every route added afterwards keep its document's word: an operation that requires a session
 * refuses an anonymous caller with 401 before its parameters or body are read or validated.
 */
export function enforceDeclaredSecurity(api: OpenAPIHono<any, any, any>) {
  const register = api.openapi;
  api.openapi = ((route: any, handler: any, hook?: any) => {
    if (!requiresSession(route.security)) return register(route, handler, hook);
    const own = route.middleware ? (Array.isArray(route.middleware) ? route.middleware : [route.middleware]) : [];
    return register({ ...route, middleware: [signedIn, ...own] }, handler, hook);
  }) as typeof api.openapi;
}

/** Tags in the order the document lists them, with what each covers. */
export const API_TAGS: { name: string; description: string }[] = [
  { name: 'auth', description: '注册、登录、会话、密码与个人资料' },
  { name: 'legal', description: '用户协议、隐私政策（含历史版本）与页脚的客服、备案信息' },
  { name: 'messages', description: '站内信' },
  { name: 'organisations', description: '组织公开信息、本组织成员与操作记录' },
  { name: 'admin', description: '运营后台：账号、组织、审核、设置、核对（仅平台运营人员）' },
  { name: 'audit', description: '操作记录' },
  { name: 'wallet', description: '钱包：余额、充值、银行卡、提现、资金明细' },
  { name: 'payments', description: '支付：网关通知、商城订单支付' },
  { name: 'files', description: '附件上传与下载、行政区划' },
  { name: 'invitations', description: '邀标：邀请服务机构、回复邀请、洽谈' },
  { name: 'consultations', description: '咨询：企业向服务机构售前咨询，可转为邀标' },
  { name: 'tenders', description: '需求发布、审核、项目大厅、投标与选中' },
  { name: 'rooms', description: '待标室、竞价室与二次竞价' },
  { name: 'mall', description: '消费帮扶馆：注册、商品、购物车、订单、地址、统计' },
  { name: 'escrow', description: '协议、里程碑托管、验收、售后、终止与评价' },
  { name: 'storefronts', description: '服务机构店铺、服务项目与案例' },
  { name: 'imports', description: '导入：Excel 表格上传、逐行检查与预览、错误报告、确认导入' },
  { name: 'dev', description: '仅开发与测试环境' },
];

/**
 * operationIds where the name derived from method and path would read badly. Keys are
 * `METHOD /path` without the /api/v1 prefix; values never change once published.
 */
export const OPERATION_IDS: Record<string, string> = {
  'POST /auth/register-code': 'sendRegisterCode',
  'POST /auth/register': 'register',
  'POST /auth/login': 'login',
  'POST /auth/logout': 'logout',
  'GET /auth/me': 'getMe',
  'POST /auth/password-reset/request': 'requestPasswordReset',
  'POST /auth/password-reset/confirm': 'confirmPasswordReset',
  'POST /auth/password': 'changePassword',
  'PATCH /auth/profile': 'updateProfile',
  'POST /auth/active-organisation': 'switchOrganisation',
  'GET /messages/unread-count': 'getUnreadMessageCount',
  'POST /messages/read-all': 'readAllMessages',
  'POST /admin/users/{id}/status': 'setAdminUserStatus',
  'POST /admin/organisations/{id}/status': 'setAdminOrganisationStatus',
  'GET /admin/audit': 'listAdminAudit',
  'GET /admin/audit/export': 'exportAdminAudit',
  'GET /organisations/current/audit': 'listOrganisationAudit',
  'GET /organisations/current/audit/export': 'exportOrganisationAudit',
  'GET /wallet': 'getWalletBalances',
  'GET /wallet/statement': 'listWalletStatement',
  'GET /wallet/statement.csv': 'exportWalletStatement',
  'PUT /wallet/security-password': 'setSecurityPassword',
  'POST /wallet/recharges/online': 'createOnlineRecharge',
  'POST /wallet/recharges/offline': 'submitOfflineRecharge',
  'GET /admin/recharges/offline': 'listAdminOfflineRecharges',
  'POST /payments/notify': 'notifyPayment',
  'POST /files': 'uploadFile',
  'GET /files/{id}': 'downloadFile',
  'GET /invitations/mine': 'listMyInvitations',
  'POST /invitations/{id}/respond': 'respondToInvitation',
  'GET /requirements/invitable': 'listInvitableRequirements',
  'GET /requirements/{id}/negotiations/{providerId}/messages': 'listNegotiationMessages',
  'POST /requirements/{id}/negotiations/{providerId}/messages': 'sendNegotiationMessage',
  'GET /requirements/mine': 'listMyRequirements',
  'GET /proposals/mine': 'listMyProposals',
  'GET /admin/settings/deposit': 'getDepositSettings',
  'PUT /admin/settings/deposit': 'updateDepositSettings',
  'POST /requirements/{id}/delete': 'deletePublishedRequirement',
  'POST /requirements/{id}/select': 'selectProvider',
  'POST /requirements/{id}/proposals': 'submitProposal',
  'GET /requirements/{id}/proposals/mine': 'getMyProposal',
  'PUT /requirements/{id}/proposals/mine': 'updateMyProposal',
  'DELETE /requirements/{id}/proposals/mine': 'withdrawMyProposal',
  'GET /requirements/{id}/room': 'getRoomSnapshot',
  'GET /requirements/{id}/room/events': 'listRoomEvents',
  'POST /requirements/{id}/rounds': 'startSecondRound',
  'POST /requirements/{id}/rounds/current/offers': 'submitRevisedOffer',
  'PUT /requirements/{id}/room/rules': 'updateRoomRules',
  'POST /cart/items': 'addCartItem',
  'POST /orders': 'checkout',
  'POST /orders/{id}/receive': 'confirmOrderReceipt',
  'GET /payments/corporate-banks': 'listCorporateBanks',
  'POST /payments': 'payOrders',
  'POST /payments/{paymentNo}/receipt': 'submitTransferReceipt',
  'POST /merchant/orders/{id}/refund-decision': 'decideOrderRefund',
  'POST /admin/mall/transfers/{paymentNo}/review': 'reviewAdminMallTransfer',
  'GET /statistics/unit': 'getUnitStatistics',
  'GET /statistics/region': 'getRegionStatistics',
  'GET /statistics/unit/export': 'exportUnitStatistics',
  'GET /statistics/region/export': 'exportRegionStatistics',
  'POST /mall/units/register': 'registerUnit',
  'GET /mall/units/search': 'searchUnits',
  'POST /mall/individuals/register': 'registerIndividual',
  'POST /mall/merchants/register': 'registerMerchant',
  'GET /mall/me/profile': 'getMyMallProfile',
  'PUT /mall/me/profile': 'updateMyMallProfile',
  'GET /mall/me/unit': 'getMyUnit',
  'GET /mall/unit/employees': 'listUnitEmployees',
  'POST /mall/unit/employees/{userId}/decision': 'decideUnitEmployee',
  'GET /mall/regions/{code}': 'getMallRegion',
  'GET /mall/images/{fileId}/{size}': 'getProductImage',
  'POST /admin/mall/products/{id}/take-down': 'takeDownProduct',
  'POST /admin/mall/products/{id}/restore': 'restoreProduct',
  'POST /admin/mall/products/{id}/feature': 'featureProduct',
  'POST /addresses/{id}/default': 'setDefaultAddress',
  'GET /requirements/{id}/agreement-basis': 'getAgreementBasis',
  'PUT /requirements/{id}/agreement': 'draftAgreement',
  'GET /agreements/awaiting': 'listRequirementsAwaitingAgreement',
  'POST /agreements/{id}/escrow': 'fundEscrow',
  'POST /agreements/{id}/after-sales-cases': 'openAfterSalesCase',
  'POST /after-sales-cases/{id}/messages': 'addAfterSalesMessage',
  'POST /agreements/{id}/termination': 'proposeTermination',
  'POST /agreements/{id}/termination/answer': 'answerTermination',
  'POST /agreements/{id}/reviews': 'reviewCounterparty',
  'POST /admin/after-sales-cases/{id}/decision': 'decideAfterSalesCase',
  'GET /admin/settings/escrow-fee': 'getEscrowFeeSettings',
  'PUT /admin/settings/escrow-fee': 'updateEscrowFeeSettings',
  'GET /admin/settings/calendar': 'getWorkingCalendar',
  'PUT /admin/settings/calendar': 'updateWorkingCalendar',
  'GET /admin/settings/room-timing': 'getRoomTimingSettings',
  'PUT /admin/settings/room-timing': 'updateRoomTimingSettings',
  'GET /legal/{kind}': 'getLegalDocument',
  'GET /legal/{kind}/versions': 'listLegalDocumentVersions',
  'GET /site/footer': 'getSiteFooter',
  'POST /admin/legal/{kind}/versions': 'publishLegalDocument',
  'PUT /admin/settings/site-footer': 'updateSiteFooter',
  'GET /storefronts/me': 'getMyStorefront',
  'PUT /storefronts/me': 'updateMyStorefront',
  'GET /storefronts/me/items': 'listMyStorefrontItems',
  'POST /storefronts/me/items': 'createStorefrontItem',
  'PUT /storefronts/me/items/{id}': 'updateStorefrontItem',
  'DELETE /storefronts/me/items/{id}': 'deleteStorefrontItem',
  'GET /storefronts/me/cases': 'listMyStorefrontCases',
  'POST /storefronts/me/cases': 'createStorefrontCase',
  'DELETE /storefronts/me/cases/{id}': 'deleteStorefrontCase',
};

/** `getX`, `listXs`, `createX`, `updateX`, `deleteX`, or the action word of a POST: `submitRequirement`. */
export function deriveOperationId(method: string, fullPath: string): string {
  const path = fullPath.replace(/^\/api\/v1/, '');
  const explicit = OPERATION_IDS[`${method.toUpperCase()} ${path}`];
  if (explicit) return explicit;
  const segments = path.split('/').filter(Boolean);
  const endsWithParam = segments.at(-1)?.startsWith('{') ?? false;
  // Resource words, each made singular when an id follows it: /requirements/{id}/proposals → requirement, proposals.
  const words = segments.flatMap((s, i) => {
    if (s.startsWith('{')) return [];
    const parts = s.split(/[-.]/).filter(Boolean);
    if (segments[i + 1]?.startsWith('{')) parts[parts.length - 1] = singular(parts.at(-1)!);
    return parts;
  });
  const last = words.at(-1) ?? 'root';
  const plural = last !== singular(last) && !endsWithParam;
  let verb: string;
  let rest = words;
  if (method === 'get') verb = plural ? 'list' : 'get';
  else if (method === 'delete') verb = 'delete';
  else if (method === 'put' || method === 'patch') verb = 'update';
  else if (plural || endsWithParam) {
    verb = 'create';
    rest = [...words.slice(0, -1), singular(last)];
  } else {
    verb = last;
    rest = words.slice(0, -1);
  }
  return camel([verb, ...rest]);
}

function singular(word: string): string {
  if (/(ss|status|news)$/.test(word)) return word;
  if (/ies$/.test(word)) return word.replace(/ies$/, 'y');
  if (/(sses|shes|ches|xes)$/.test(word)) return word.replace(/es$/, '');
  return word.replace(/s$/, '');
}

const camel = (words: string[]) =>
  words
    .map((w) => w.toLowerCase())
    .map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1)))
    .join('');

/** Completes a generated document in place (idempotent) and returns it. */
export function completeDocument<T extends OpenApiDocument | Json>(document: T): T {
  const doc = document as Json;
  const errorSchema = doc.components?.schemas?.Error ? { $ref: '#/components/schemas/Error' } : undefined;
  doc.components ??= {};
  doc.components.responses ??= {};
  for (const e of Object.values(STANDARD_ERRORS)) {
    doc.components.responses[e.name] ??= {
      description: e.description,
      content: { 'application/json': { schema: errorSchema ?? { type: 'object' }, example: { error: e.example } } },
    };
  }
  for (const [path, item] of Object.entries<Json>(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op: Json | undefined = item[method];
      if (!op) continue;
      op.operationId ??= deriveOperationId(method, path);
      // `{}` among the requirements: credentials are optional (the answer may differ with them).
      const secured = requiresSession(op.security);
      op.security ??= [];
      const hasInput = Boolean(op.requestBody) || (Array.isArray(op.parameters) && op.parameters.length > 0) || (item.parameters?.length ?? 0) > 0;
      const standard = new Set<number>();
      if (hasInput) standard.add(400);
      if (secured) standard.add(401).add(403);
      if (path.includes('{')) standard.add(404);
      // JSON bodies over the shared limit are refused from their Content-Length (input-guard.ts).
      if (op.requestBody?.content?.['application/json']) standard.add(413);
      if (UNSAFE.has(method) && (op.requestBody || !NON_JSON_BODY_PATHS.some((r) => r.test(path)))) {
        // Any body that is not JSON is refused before the handler runs; a cookie-authenticated
        // cross-site form post is refused by the origin check.
        standard.add(415);
        if (op.security.length > 0) standard.add(403);
      }
      op.responses ??= {};
      for (const status of standard) op.responses[status] ??= { $ref: `#/components/responses/${STANDARD_ERRORS[status]!.name}` };
      // Route-declared error entries with the shared schema become references to the shared answers.
      for (const [status, response] of Object.entries<Json>(op.responses)) {
        const std = STANDARD_ERRORS[Number(status)];
        if (std && !response.$ref && response.content?.['application/json']?.schema?.$ref === '#/components/schemas/Error') {
          // A route that names its codes keeps them: OpenAPI 3.1 lets a reference carry its own description.
          const named = typeof response.description === 'string' && response.description.includes(ERROR_CODES_MARK);
          op.responses[status] = { $ref: `#/components/responses/${std.name}`, ...(named ? { description: response.description } : {}) };
        }
      }
      op.responses = Object.fromEntries(Object.entries(op.responses).sort(([a], [b]) => a.localeCompare(b)));
    }
  }
  const used = new Set(Object.values<Json>(doc.paths ?? {}).flatMap((item) => METHODS.flatMap((m) => item[m]?.tags ?? [])));
  doc.tags = [
    ...API_TAGS.filter((t) => used.has(t.name)),
    ...[...used].filter((t) => !API_TAGS.some((k) => k.name === t)).map((name) => ({ name, description: name })),
  ];
  // Only the answers some operation refers to.
  const referenced = JSON.stringify(doc.paths ?? {});
  for (const name of Object.keys(doc.components.responses)) if (!referenced.includes(`#/components/responses/${name}"`)) delete doc.components.responses[name];
  return document;
}

/** The document's fixed parts; `origin` is the server the document is served from, if known. */
export function documentInfo(origin?: string) {
  return {
    openapi: '3.1.0' as const,
    info: {
      title: 'Bangfu API',
      version: '1',
      description:
        '帮扶平台 JSON API. Authenticate with the session cookie (browsers) or `Authorization: Bearer <token>` from `POST /auth/login`. ' +
        'Errors are `{ "error": { "code", "message", "fields"? } }`; money is integer fen. ' +
        'Unsafe requests with a body must send `Content-Type: application/json` (415 otherwise), except file uploads and payment notices.',
    },
    servers: [origin ? { url: origin } : { url: '/', description: '提供本文档的服务器' }],
  };
}

/** The complete document of an API app (for `/openapi.json`, the lint and the generated client). */
export function buildDocument(api: OpenAPIHono<any, any, any>, origin?: string) {
  return completeDocument(api.getOpenAPI31Document(documentInfo(origin)));
}
