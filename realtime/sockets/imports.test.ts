import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { sheetBytes, testUnitsKind } from '../../core/imports/imports.test-kind';
import type { Platform } from '../../core/platform/platform';
import { buildUscc } from '../../core/testing/factories';
import { unitBuyer } from '../../core/testing/mall-factories';
import { createTestPlatform, ManualClock } from '../../core/testing/test-platform';
import { createApplication } from '../server';
import { next, record, settle, socketClients } from './test-clients';

const clock = new ManualClock(new Date('2026-12-01T02:00:00Z'));
let p: Platform;
let app: ReturnType<typeof createApplication>;
let url: string;
const { client, closeAll } = socketClients();
const { kind } = testUnitsKind('test.socket_units');

beforeAll(async () => {
  p = await createTestPlatform({ clock, env: { SESSION_IDLE_MINUTES: String(30 * 24 * 60) } });
  p.services.imports.register(kind);
  app = createApplication(p, { role: 'realtime' });
  url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  closeAll();
  await app?.close();
  await p?.close();
});

const ack = (s: Socket, event: string, payload: unknown) => s.timeout(5000).emitWithAck(event, payload) as Promise<any>;

describe('import progress over socket.io', () => {
  it('the uploader watches a batch and gets its progress pushed; another organisation and a guest cannot watch', async () => {
    const owner = await unitBuyer(p);
    const other = await unitBuyer(p);
    const batch = await p.services.imports.upload(owner.actor, {
      kind: kind.key,
      organisationId: owner.org.id,
      filename: '单位.xlsx',
      bytes: await sheetBytes([
        ['綦江区推送一中', buildUscc()],
        ['綦江区推送二中', buildUscc()],
      ]),
    });
    const [so, sx, sg] = await Promise.all([client(url, { token: owner.token }), client(url, { token: other.token }), client(url)]);
    const otherGot = record(sx!);

    expect(await ack(so!, 'imports:watch', { batchId: batch.id })).toMatchObject({ ok: true, data: { id: batch.id, status: 'parsing' } });
    expect(await ack(sx!, 'imports:watch', { batchId: batch.id })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect((await ack(sg!, 'imports:watch', { batchId: batch.id })).ok).toBe(false);
    expect(await ack(so!, 'imports:watch', {})).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });

    const ready = next(so!, 'imports:progress', (v) => v.id === batch.id && v.status === 'ready');
    await p.jobs.runDue();
    expect(await ready).toMatchObject({ counts: { total: 2, valid: 2, new: 2 } });

    const done = next(so!, 'imports:progress', (v) => v.id === batch.id && v.status === 'done');
    await p.services.imports.confirm(owner.actor, batch.id);
    await p.jobs.runDue();
    expect(await done).toMatchObject({ counts: { written: 2 } });
    expect(await ack(so!, 'imports:unwatch', { batchId: batch.id })).toMatchObject({ ok: true });
    await settle(200);
    expect(otherGot.filter((e) => e.event.startsWith('imports:'))).toEqual([]);
  });
});
