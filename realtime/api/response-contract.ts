import { z } from '@hono/zod-openapi';
import { deriveOperationId } from './openapi-document';

/**
 * Holds every 2xx JSON answer of the API to the response schema its route publishes, so the
 * document cannot drift from what handlers send. Used by the API test harness (test-helpers.ts).
 *
 * Two kinds of mismatch: the body fails the schema (`invalid`), or it carries fields the schema
 * does not declare (`undocumented`: zod strips them silently, so a client reading the document
 * would never know they are sent, and a field that should not leave the server would pass unseen).
 * A status the route does not declare is a mismatch too.
 */

/**
 * operationIds whose answers are known not to match their published schema yet: reported, not
 * failed. Shrinks to empty as handlers lose their `as never` casts; a route missing here fails its
 * test on the first mismatch. Empty it to make every route strict.
 */
export const KNOWN_RESPONSE_MISMATCHES: ReadonlySet<string> = new Set<string>([
  // Fields sent that the schema does not declare (found by API_RESPONSE_CHECK=report over the route tests):
  'createInvitation', // enterpriseId
  'respondToInvitation', // enterpriseId
  'dropInvitation', // enterpriseId
  'listMyInvitations', // items[].enterpriseId
  'listRequirementInvitations', // [].enterpriseId
  'getOrder', // history[].orderId
  'confirmOrderReceipt', // history[].orderId
  'shipMerchantOrder', // history[].orderId
  'repriceMerchantOrder', // history[].orderId
  'listAdminMallTransfers', // [].receipt
  'listAdminOfflineRecharges', // items[].organisationName
]);

export interface ResponseMismatch {
  operationId: string;
  method: string;
  path: string;
  status: number;
  kind: 'invalid' | 'undocumented' | 'undeclared-status';
  detail: string;
}

interface RouteDefinition {
  method: string;
  path: string;
  operationId?: string;
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

interface RegisteredRoute {
  method: string;
  fullPath: string;
  pattern: RegExp;
  params: number;
  operationId: string;
  responses: RouteDefinition['responses'];
}

/** Anything that carries the OpenAPIHono registry (the API app, whatever its base path). */
interface DocumentedApp {
  openAPIRegistry: { definitions: { type: string; route?: RouteDefinition }[] };
}

const escape = (s: string) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&');

/** The app's documented routes, found by method and concrete path (static segments before `{param}` ones, as the router matches). */
export function routeTable(app: DocumentedApp) {
  const basePath: string = ((app as { _basePath?: string })._basePath ?? '').replace(/\/$/, '');
  let routes: RegisteredRoute[] | undefined;
  const all = () =>
    (routes ??= app.openAPIRegistry.definitions
      .filter((d) => d.type === 'route' && d.route)
      .map(({ route }) => {
        const fullPath = `${basePath}${route!.path}`;
        const pattern = new RegExp(
          `^${fullPath
            .split(/(\{[^}]+\})/)
            .map((part) => (part.startsWith('{') ? '[^/]+' : escape(part)))
            .join('')}/?$`,
        );
        return {
          method: route!.method.toLowerCase(),
          fullPath,
          pattern,
          params: (fullPath.match(/\{/g) ?? []).length,
          operationId: route!.operationId ?? deriveOperationId(route!.method.toLowerCase(), fullPath),
          responses: route!.responses,
        };
      })
      .sort((a, b) => a.params - b.params));
  return {
    all,
    find: (method: string, path: string) => all().find((r) => r.method === method.toLowerCase() && r.pattern.test(path)),
  };
}

const isZod = (s: unknown): s is z.ZodType => typeof (s as z.ZodType | undefined)?.safeParse === 'function';

/** Checks one answer; returns its mismatches (none for non-2xx, non-JSON, or undocumented routes). */
export function checkResponse(
  table: ReturnType<typeof routeTable>,
  method: string,
  path: string,
  status: number,
  contentType: string | null,
  body: unknown,
): ResponseMismatch[] {
  if (status < 200 || status >= 300) return [];
  const route = table.find(method, path);
  if (!route) return [];
  const at = { operationId: route.operationId, method: method.toUpperCase(), path: route.fullPath, status };
  const declared = route.responses?.[String(status)];
  if (!declared)
    return [{ ...at, kind: 'undeclared-status', detail: `answered ${status}, the route declares ${Object.keys(route.responses ?? {}).join(', ')}` }];
  if (!contentType?.toLowerCase().includes('application/json')) return [];
  const schema = declared.content?.['application/json']?.schema;
  if (!isZod(schema)) return [];
  const result = schema.safeParse(body);
  if (!result.success) return [{ ...at, kind: 'invalid', detail: describeIssues(result.error, body) }];
  const extra = undocumentedPaths(body, result.data);
  return extra.length
    ? [
        {
          ...at,
          kind: 'undocumented',
          detail: `fields sent but not in the schema: ${extra.slice(0, 12).join(', ')}${extra.length > 12 ? ` (+${extra.length - 12})` : ''}`,
        },
      ]
    : [];
}

/** Each issue with where it is and what was there instead. */
function describeIssues(error: z.ZodError, body: unknown): string {
  return error.issues
    .slice(0, 8)
    .map((issue) => {
      const where = issue.path.length ? issue.path.map(String).join('.') : '(body)';
      const actual = issue.path.reduce<unknown>((v, k) => (v == null ? undefined : (v as Record<PropertyKey, unknown>)[k as PropertyKey]), body);
      return `  ${where}: ${issue.message}; got ${preview(actual)}`;
    })
    .concat(error.issues.length > 8 ? [`  … ${error.issues.length - 8} more`] : [])
    .join('\n');
}

const preview = (v: unknown) => {
  const s = v === undefined ? 'undefined (missing)' : JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}…` : s;
};

/** Keys of the sent body that parsing dropped (zod objects strip keys they do not declare), as paths; array items collapse to `[]`. */
function undocumentedPaths(sent: unknown, parsed: unknown, at = ''): string[] {
  if (Array.isArray(sent) && Array.isArray(parsed)) {
    const found = new Set<string>();
    sent.forEach((item, i) => undocumentedPaths(item, parsed[i], `${at}[]`).forEach((p) => found.add(p)));
    return [...found];
  }
  if (!sent || typeof sent !== 'object' || !parsed || typeof parsed !== 'object') return [];
  return Object.entries(sent as Record<string, unknown>).flatMap(([key, value]) => {
    const path = at ? `${at}.${key}` : key;
    if (!(key in (parsed as object))) return [path];
    return undocumentedPaths(value, (parsed as Record<string, unknown>)[key], path);
  });
}

export function formatMismatch(m: ResponseMismatch): string {
  return `${m.method} ${m.path} (${m.operationId}) ${m.status}: the answer does not match its published response schema [${m.kind}]\n${m.detail}`;
}
