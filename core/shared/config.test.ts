import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('configuration from the environment', () => {
  it('has sane defaults: port 3000, every role, dev tools on, plain cookies', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ NODE_ENV: 'development', PORT: 3000, ROLE: 'all', DATA_DIR: '.data', SEED_DEMO: true, devTools: true, secureCookies: false });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.REDIS_URL).toBeUndefined();
  });

  it('treats empty variables as unset (PORT= in a .env file)', () => {
    expect(loadConfig({ PORT: '', ROLE: '' })).toMatchObject({ PORT: 3000, ROLE: 'all' });
  });

  it('dev tools: on in development, off in production unless DEV_TOOLS says otherwise', () => {
    const prod = { NODE_ENV: 'production', APP_SECRET: 'a-real-secret-of-some-length', ORIGIN: 'https://bangfu.example.cn', SANDBOX_GATEWAYS: 'true' };
    expect(loadConfig({ NODE_ENV: 'development' }).devTools).toBe(true);
    expect(loadConfig(prod).devTools).toBe(false);
    expect(loadConfig({ ...prod, DEV_TOOLS: 'true' }).devTools).toBe(true);
  });

  it('accepts good values as given', () => {
    const c = loadConfig({ PORT: '8080', ROLE: 'realtime', DATABASE_URL: 'postgresql://u@db:5432/bangfu', REDIS_URL: 'rediss://cache:6380' });
    expect(c).toMatchObject({ PORT: 8080, ROLE: 'realtime', DATABASE_URL: 'postgresql://u@db:5432/bangfu', REDIS_URL: 'rediss://cache:6380' });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    [{ ROLE: 'worker' }, 'ROLE'],
    [{ SEED_DEMO: 'maybe' }, 'SEED_DEMO'],
    [{ ORIGIN: 'bangfu.example.cn' }, 'ORIGIN'],
    [{ APP_SECRET: 'short' }, 'APP_SECRET'],
    [{ NODE_ENV: 'production' }, 'APP_SECRET'],
  ])('refuses %o with a message naming %s', (env, name) => {
    let err: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(new RegExp(`^\\s+${name}: `, 'm'));
  });

  it('names every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x' })).toThrow(/PORT:[\s\S]*DATABASE_URL:/);
  });

  it('production turns off the dev tools and https turns on Secure cookies', () => {
    const c = loadConfig({ NODE_ENV: 'production', APP_SECRET: 'a-real-secret-of-some-length', ORIGIN: 'https://bangfu.example.cn', SANDBOX_GATEWAYS: 'true' });
    expect(c.devTools).toBe(false);
    expect(c.secureCookies).toBe(true);
  });

  describe('production defaults', () => {
    const prod = { NODE_ENV: 'production', APP_SECRET: 'a-real-secret-of-some-length', ORIGIN: 'https://bangfu.example.cn' };
    const refusal = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };

    it('NODE_ENV=production and nothing else: one message naming every missing variable', () => {
      const message = refusal({ NODE_ENV: 'production' });
      expect(message).toMatch(/^\s+APP_SECRET: /m);
      expect(message).toMatch(/^\s+ORIGIN: /m);
      expect(message).toMatch(/^\s+SANDBOX_GATEWAYS: .*SANDBOX_GATEWAYS=true/m);
    });

    it('refuses the sandbox payment and payout gateways in production unless enabled', () => {
      expect(refusal(prod)).toMatch(/^\s+SANDBOX_GATEWAYS: /m);
      expect(refusal({ ...prod, SANDBOX_GATEWAYS: 'false' })).toMatch(/^\s+SANDBOX_GATEWAYS: /m);
      expect(loadConfig({ ...prod, SANDBOX_GATEWAYS: 'true' })).toMatchObject({ sandboxGateways: true, sandboxBanner: true });
    });

    it('no demo data in production unless asked for explicitly', () => {
      const enabled = { ...prod, SANDBOX_GATEWAYS: 'true' };
      expect(loadConfig(enabled).SEED_DEMO).toBe(false);
      expect(loadConfig({ ...enabled, SEED_DEMO: 'true' }).SEED_DEMO).toBe(true);
    });

    it('development keeps its sandbox and demo data, without the banner', () => {
      expect(loadConfig({})).toMatchObject({ SEED_DEMO: true, sandboxGateways: true, sandboxBanner: false });
      expect(loadConfig({ SEED_DEMO: 'false' }).SEED_DEMO).toBe(false);
    });
  });
});

describe('Redis key prefix', () => {
  it('one REDIS_PREFIX (default bangfu:) from which the rate-limit prefix is derived', () => {
    expect(loadConfig({})).toMatchObject({ REDIS_PREFIX: 'bangfu:', RATE_LIMIT_PREFIX: 'bangfu:rl' });
    expect(loadConfig({ REDIS_PREFIX: 'gz-prod:' })).toMatchObject({ REDIS_PREFIX: 'gz-prod:', RATE_LIMIT_PREFIX: 'gz-prod:rl' });
  });

  it('RATE_LIMIT_PREFIX still overrides the derived one', () => {
    expect(loadConfig({ REDIS_PREFIX: 'a:', RATE_LIMIT_PREFIX: 'legacy:rl' }).RATE_LIMIT_PREFIX).toBe('legacy:rl');
  });

  it('refuses a prefix with spaces or other characters, naming REDIS_PREFIX', () => {
    expect(() => loadConfig({ REDIS_PREFIX: 'bang fu' })).toThrow(/^\s+REDIS_PREFIX: 只能包含字母、数字、冒号、下划线和连字符/m);
  });
});
