import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { ConfigError, loadConfig } from '../core/shared/config';
import { setPlatform } from '../core/platform/registry';
import { DEMO_LOGINS, DEMO_PASSWORD } from '../core/platform/seed';
import { createApplication, type NodeHandler } from './server';
import { startPlatform, StartUpError } from './start-up';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function main() {
  const roleArg = process.argv.find((a) => a.startsWith('--role='))?.slice(7);
  let config;
  try {
    config = loadConfig({ ...process.env, ...(roleArg ? { ROLE: roleArg } : {}) });
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(78);
    }
    throw e;
  }
  if (config.ROLE !== 'all' && !config.DATABASE_URL) {
    console.error('ROLE=web/realtime needs DATABASE_URL (and REDIS_URL): separate processes cannot share the embedded database.');
    process.exit(78);
  }

  const platformPromise = startPlatform(config, (line) => console.log(line));
  setPlatform(platformPromise);
  const platform = await platformPromise;

  // Pages served here: forward what services publish to socket.io through Redis (the web role has no sockets).
  if (config.ROLE === 'web' && platform.redis) {
    const { Emitter } = await import('@socket.io/redis-emitter');
    const { publishSafely, watchRedis } = await import('../core/shared/redis');
    const emitter = new Emitter(publishSafely(watchRedis(platform.redis.duplicate(), 'redis:emitter'), 'redis:emitter'), { key: `${platform.redisPrefix}io` });
    platform.publisher.subscribe((room, event, payload) => emitter.to(room).emit(event, payload));
  }

  let webHandler: NodeHandler | undefined;
  if (config.ROLE !== 'realtime') {
    const handlerPath = join(root, 'web/build/handler.js');
    if (!existsSync(handlerPath)) {
      console.error('web/build is missing: run `npm run build` (npm start does it for you).');
      process.exit(1);
    }
    // adapter-node assumes https when ORIGIN is unset, so every form POST over plain http would fail
    // its CSRF origin check. Without ORIGIN, the server tells it the real protocol of each connection
    // (realtime/server.ts) and it uses the Host header, so localhost and 127.0.0.1 both work.
    if (!config.ORIGIN) process.env.PROTOCOL_HEADER = 'x-bangfu-proto';
    webHandler = (await import(pathToFileURL(handlerPath).href)).handler as NodeHandler;
  }

  // Second-round deadlines and other timed work: realtime nodes and the single process wake up for them.
  if (config.ROLE !== 'web') await platform.startJobs();

  const app = createApplication(platform, { role: config.ROLE, webHandler });
  const port = await app.listen(config.PORT, config.HOST);
  const url = config.ORIGIN ?? `http://localhost:${port}`;
  console.log(`\n  帮扶 Bangfu is running (${config.ROLE}, ${platform.dbHandle.kind}${platform.redis ? ' + redis' : ''})`);
  console.log(`  → ${url}`);
  console.log(`  → API docs ${url}/api/v1/docs`);
  if (config.devTools) console.log(`  → SMS / e-mail outbox ${url}/dev/outbox`);
  if (config.SEED_DEMO && config.ROLE !== 'realtime') {
    console.log(`\n  Demo logins (password ${DEMO_PASSWORD}):`);
    for (const d of DEMO_LOGINS) console.log(`    ${d.username.padEnd(12)} ${d.organisation}`);
  }
  console.log('');

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: shutting down`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await app.close().catch(() => {});
    await platform.close().catch(() => {});
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((e: unknown) => {
  // Refusals that say what to do are printed as they are; anything else with its stack.
  console.error(e instanceof StartUpError || e instanceof ConfigError ? e.message : e);
  process.exit(e instanceof ConfigError ? 78 : 1);
});
