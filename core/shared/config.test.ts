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
    const secret = 'a-real-secret-of-some-length';
    expect(loadConfig({ NODE_ENV: 'development' }).devTools).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', APP_SECRET: secret }).devTools).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', APP_SECRET: secret, DEV_TOOLS: 'true' }).devTools).toBe(true);
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
    const c = loadConfig({ NODE_ENV: 'production', APP_SECRET: 'a-real-secret-of-some-length', ORIGIN: 'https://bangfu.example.cn' });
    expect(c.devTools).toBe(false);
    expect(c.secureCookies).toBe(true);
  });
});
