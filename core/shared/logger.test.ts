import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, lineLog } from './logger';

const capture = () => {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, destination };
};

describe('logger', () => {
  it('writes JSON lines at or above its level, with the bindings of a child', async () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'warn', destination });
    log.info('not shown');
    log.child({ requestId: 'r-1' }).warn({ path: '/x' }, 'slow');
    lineLog(log.child({ component: 'redis' }))('reconnecting');
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 'warn', requestId: 'r-1', path: '/x', msg: 'slow', service: 'bangfu' });
    expect(lines[1]).toMatchObject({ level: 'warn', component: 'redis', msg: 'reconnecting' });
  });

  it('debug lines appear only at LOG_LEVEL=debug', async () => {
    const { lines, destination } = capture();
    createLogger({ level: 'debug', destination }).debug('detail');
    createLogger({ level: 'info', destination }).debug('hidden');
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => l.msg)).toEqual(['detail']);
  });
});
