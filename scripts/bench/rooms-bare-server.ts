/**
 * The baseline of `npm run bench:rooms`: a bare socket.io server with no database. It joins sockets to
 * the same channels as the real room handlers, answers `bid:submit` at once and emits the same events
 * with the same payloads to the same channels (through the Redis adapter when REDIS_URL is set).
 *
 *   PORT=… NODE_INDEX=0 [REDIS_URL=…] tsx scripts/bench/rooms-bare-server.ts <rooms.json>
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { roomChannels } from '../../core/rooms/room-log';
import type { BenchRooms } from './rooms-fixture';

const fixture = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as BenchRooms;
const nodeIndex = Number(process.env.NODE_INDEX ?? 0);
type Who = { role: 'enterprise' | 'provider'; orgId: string; participants: string[] };
const byToken = new Map<string, Map<string, Who>>();
for (const r of fixture.rooms) {
  const participants = r.bidders.map((b) => b.orgId);
  const add = (token: string, who: Who) => byToken.set(token, (byToken.get(token) ?? new Map()).set(r.requirementId, who));
  add(r.enterprise.token, { role: 'enterprise', orgId: r.enterprise.orgId, participants });
  for (const b of r.bidders) add(b.token, { role: 'provider', orgId: b.orgId, participants });
}
// Sequence numbers per room; each node numbers in its own range so two nodes never reuse one.
const seqs = new Map<string, number>();
const nextSeqs = (room: string, n: number) => {
  const first = (seqs.get(room) ?? nodeIndex * 1_000_000_000) + 1;
  seqs.set(room, first + n - 1);
  return first;
};

// Each room's standings in memory, ranked as the real rooms rank them (lower price, then earlier).
const standings = new Map<string, Map<string, { priceFen: number; at: number }>>();
for (const r of fixture.rooms) standings.set(r.requirementId, new Map(r.bidders.map((b) => [b.orgId, { priceFen: b.priceFen, at: 0 }])));
const ranksOf = (room: string) =>
  new Map(
    [...standings.get(room)!.entries()].sort(([a, x], [b, y]) => x.priceFen - y.priceFen || x.at - y.at || a.localeCompare(b)).map(([id], i) => [id, i + 1]),
  );

const http = createServer();
const io = new Server(http, { path: '/socket.io', serveClient: false });
if (process.env.REDIS_URL) {
  const pub = new Redis(process.env.REDIS_URL);
  io.adapter(createAdapter(pub, pub.duplicate(), { key: 'bangfu-bench-bare' }));
}

io.on('connection', (socket) => {
  const mine = byToken.get((socket.handshake.auth as { token?: string }).token ?? '') ?? new Map<string, Who>();
  const serverTime = () => new Date().toISOString();
  socket.on('room:join', async ({ requirementId }, ack) => {
    const who = mine.get(requirementId);
    if (!who) return ack({ ok: false, error: { code: 'NOT_FOUND', message: '项目不存在' }, serverTime: serverTime() });
    await socket.join([
      roomChannels.all(requirementId),
      who.role === 'enterprise' ? roomChannels.enterprise(requirementId) : roomChannels.provider(requirementId, who.orgId),
    ]);
    ack({ ok: true, data: { snapshot: { currentRound: { id: 'bare' } }, missed: [], presence: {} }, serverTime: serverTime() });
  });
  socket.on('bid:submit', ({ requirementId, priceFen, clientId }, ack) => {
    const who = mine.get(requirementId);
    if (!who || who.role !== 'provider') return ack({ ok: false, error: { code: 'FORBIDDEN', message: '' }, serverTime: serverTime() });
    const at = new Date();
    const before = ranksOf(requirementId);
    standings.get(requirementId)!.set(who.orgId, { priceFen, at: at.getTime() });
    const ranks = ranksOf(requirementId);
    const moved = who.participants.filter((p) => p !== who.orgId && ranks.get(p) !== before.get(p));
    const events = [
      {
        type: 'offer:accepted',
        audience: [`provider:${who.orgId}`],
        payload: {
          roundId: 'bare',
          priceFen,
          previousPriceFen: priceFen + 1,
          rank: ranks.get(who.orgId),
          participantCount: who.participants.length,
          at,
          clientId,
          maxPriceFen: priceFen - 1,
        },
      },
      { type: 'offer:received', audience: ['enterprise'], payload: { roundId: 'bare', providerId: who.orgId, offerCount: 1, at } },
      ...moved.map((pid) => ({
        type: 'round:rank',
        audience: [`provider:${pid}`],
        payload: { roundId: 'bare', rank: ranks.get(pid), participantCount: who.participants.length },
      })),
    ];
    const first = nextSeqs(requirementId, events.length);
    events.forEach((e, i) => {
      const ev = { requirementId, seq: first + i, ...e, at: at.toISOString() };
      const channel =
        e.audience[0] === 'enterprise'
          ? roomChannels.enterprise(requirementId)
          : roomChannels.provider(requirementId, e.audience[0]!.slice('provider:'.length));
      io.to(channel).emit('room:event', ev);
      io.to(roomChannels.operators(requirementId)).emit('room:event', ev);
    });
    ack({
      ok: true,
      data: {
        offer: { id: clientId, priceFen, previousPriceFen: priceFen + 1, at },
        roundId: 'bare',
        rank: ranks.get(who.orgId),
        participantCount: who.participants.length,
        closesAt: at,
        maxPriceFen: priceFen - 1,
        seq: first,
        replayed: false,
        serverTime: serverTime(),
      },
      serverTime: serverTime(),
    });
  });
});

http.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('ready'));
