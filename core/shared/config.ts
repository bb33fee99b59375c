import { z } from 'zod';
import { parseTrustedProxy, type TrustedProxy } from './client-ip';

const SECRET_DEFAULT = 'bangfu-development-secret-change-me';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * Every environment variable Bangfu reads, parsed once at start-up.
 * A bad value stops start-up with a message naming the variable (see README, "Configuration").
 */
export const ConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Which parts this process serves: all (default), web (pages) or realtime (API + socket.io). */
  ROLE: z.enum(['all', 'web', 'realtime']).default('all'),
  /** The URL people use to reach the site; used for links in messages and the CSRF origin check. */
  ORIGIN: z.url({ message: '必须是完整的 URL，例如 http://localhost:3000' }).optional(),
  /** Where the browser reaches socket.io when web and realtime run separately (default: same origin). */
  PUBLIC_REALTIME_URL: z.url().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, '必须是 postgres:// 开头的连接串')
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, '必须是 redis:// 开头的连接串')
    .optional(),
  /** Embedded database folder (default mode only). */
  DATA_DIR: z.string().min(1).default('.data'),
  /** Demo organisations and logins on first start: on by default, off when NODE_ENV=production unless set. */
  SEED_DEMO: bool.optional(),
  /**
   * The built-in sandbox payment and payout gateways (no real money moves). On by default; in production
   * they must be enabled explicitly, and every page then says so.
   */
  SANDBOX_GATEWAYS: bool.optional(),
  /** Shows /dev/outbox and the sandbox pages; always off when NODE_ENV=production unless set. */
  DEV_TOOLS: bool.optional(),
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(5)
    .max(60 * 24 * 30)
    .default(60 * 24),
  SESSION_ABSOLUTE_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Secret for signing (payment callbacks, code hashes). Required in production. */
  APP_SECRET: z.string().min(16, '至少 16 个字符').default(SECRET_DEFAULT),
  /**
   * Prefix of everything Bangfu keeps in Redis: deadline keys, rate-limit buckets, the socket.io adapter's
   * and emitter's channels, presence. Deployments (or test runs) sharing one Redis each take their own;
   * pub/sub channels ignore the database index, so a different index alone does not keep them apart.
   */
  REDIS_PREFIX: z
    .string()
    .regex(/^[a-z0-9:_-]{1,40}$/i, '只能包含字母、数字、冒号、下划线和连字符')
    .default('bangfu:'),
  /** Key prefix of rate-limit buckets in Redis (default: REDIS_PREFIX + `rl`); kept for existing set-ups. */
  RATE_LIMIT_PREFIX: z
    .string()
    .regex(/^[a-z0-9:_-]{1,40}$/i, '只能包含字母、数字、冒号、下划线和连字符')
    .optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Voucher grabs per user, and per client address, per window (0 turns one off; many residents may share one address). */
  /** How long a hot route (the voucher grab) may reuse a session this node resolved; 0 reads it every time. */
  HOT_SESSION_MS: z.coerce.number().int().min(0).max(60_000).default(10_000),
  VOUCHER_GRAB_LIMIT_USER: z.coerce.number().int().min(0).max(100_000).default(20),
  VOUCHER_GRAB_LIMIT_IP: z.coerce.number().int().min(0).max(10_000_000).default(600),
  VOUCHER_GRAB_LIMIT_WINDOW: z.coerce.number().int().min(1).max(3600).default(10),
  /** Sign-in tries per client address per 15 minutes (an office behind one address may need more). */
  LOGIN_LIMIT_IP: z.coerce.number().int().min(1).max(100_000).default(30),
  /** Bearer token that /metrics (Prometheus format) asks for; unset: the endpoint does not exist. */
  METRICS_TOKEN: z.string().min(16, '至少 16 个字符').optional(),
  /**
   * Reverse proxies whose X-Forwarded-For is believed: a hop count (`1` = one proxy in front) or a comma
   * list of proxy addresses/CIDRs. Unset: nobody's; the client address is the connection's.
   */
  TRUSTED_PROXY: z
    .string()
    .optional()
    .transform((v, ctx): TrustedProxy => {
      const parsed = v === undefined ? undefined : parseTrustedProxy(v);
      if (parsed === null) {
        ctx.addIssue({
          code: 'custom',
          message: '必须是代理层数（如 1）或以逗号分隔的代理地址/网段（如 10.0.0.2,172.16.0.0/12） (a hop count or a comma list of proxy addresses/CIDRs)',
        });
        return z.NEVER;
      }
      return parsed;
    }),
});

export type Config = Omit<z.infer<typeof ConfigSchema>, 'SEED_DEMO' | 'RATE_LIMIT_PREFIX'> & {
  SEED_DEMO: boolean;
  RATE_LIMIT_PREFIX: string;
  devTools: boolean;
  secureCookies: boolean;
  /** The sandbox gateways are in use (always, until a real gateway is configured). */
  sandboxGateways: boolean;
  /** Production running on the sandbox gateways: every page shows a banner. */
  sandboxBanner: boolean;
};

export class ConfigError extends Error {}

/** Parses the environment; throws a ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration (环境变量配置错误):\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const production = c.NODE_ENV === 'production';
  const sandboxGateways = c.SANDBOX_GATEWAYS ?? !production;
  const missing = [
    ...missingForProduction(c),
    ...(c.SANDBOX_GATEWAYS === false ? ['  SANDBOX_GATEWAYS: 尚未接入真实的支付和代付网关，只能使用沙箱网关（设置 SANDBOX_GATEWAYS=true）'] : []),
  ];
  if (missing.length) throw new ConfigError(`Invalid configuration (环境变量配置错误):\n${missing.join('\n')}`);
  return {
    ...c,
    RATE_LIMIT_PREFIX: c.RATE_LIMIT_PREFIX ?? `${c.REDIS_PREFIX}rl`,
    SEED_DEMO: c.SEED_DEMO ?? !production,
    sandboxGateways,
    sandboxBanner: production && sandboxGateways,
    devTools: c.DEV_TOOLS ?? c.NODE_ENV !== 'production',
    secureCookies: c.NODE_ENV === 'production' || (c.ORIGIN?.startsWith('https://') ?? false),
  };
}

/** What production needs that development makes up: each line names the variable and what to set. */
function missingForProduction(c: z.infer<typeof ConfigSchema>): string[] {
  if (c.NODE_ENV !== 'production') return [];
  const lines: string[] = [];
  if (c.APP_SECRET === SECRET_DEFAULT) lines.push('  APP_SECRET: 生产环境必须设置自己的密钥（至少 16 个字符，例如 openssl rand -hex 32）');
  if (!c.ORIGIN) lines.push('  ORIGIN: 生产环境必须设置网站的访问地址，例如 https://bangfu.example.cn（短信、邮件和支付回跳中的链接用它）');
  if (c.SANDBOX_GATEWAYS === undefined) {
    lines.push('  SANDBOX_GATEWAYS: 生产环境默认不启用沙箱支付/代付网关；尚未接入真实网关时设置 SANDBOX_GATEWAYS=true（每个页面都会显示沙箱提示）');
  }
  return lines;
}
