import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

describe('configuration from the environment', () => {
  it('has sane defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 3000, ROLE: 'all', DATA_DIR: '.data', SEED_DEMO: true, devTools: true, secureCookies: false });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    [{ ROLE: 'worker' }, 'ROLE'],
    [{ SEED_DEMO: 'maybe' }, 'SEED_DEMO'],
    [{ NODE_ENV: 'production' }, 'APP_SECRET'],
  ])('refuses %o naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(name);
  });

  it('production turns off the dev tools and https turns on Secure cookies', () => {
    const c = loadConfig({ NODE_ENV: 'production', APP_SECRET: 'a-real-secret-of-some-length', ORIGIN: 'https://bangfu.example.cn' });
    expect(c.devTools).toBe(false);
    expect(c.secureCookies).toBe(true);
  });
});
