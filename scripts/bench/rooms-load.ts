/**
 * The load generator of `npm run bench:rooms`, run as its own process: connects one socket per
 * enterprise and per bidder of every room (spread over the given nodes), joins the rooms, starts a
 * second round where none is open, then submits revised prices at a combined target rate for a fixed
 * time and measures what each socket receives. Prints one JSON line with the figures.
 *
 *   tsx scripts/bench/rooms-load.ts <rooms.json> <url[,url…]> <bids per second> <seconds>
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import type { BenchRooms } from './rooms-fixture';

const [file, urlList, rateArg, secondsArg] = process.argv.slice(2);
const fixture = JSON.parse(readFileSync(file!, 'utf8')) as BenchRooms;
const urls = urlList!.split(',');
const RATE = Number(rateArg);
const SECONDS = Number(secondsArg);
const WARMUP_MS = 3_000;
const QUIET_MS = 2_000; // after the load: wait until nothing has arrived for this long (at most a minute)
const now = () => performance.timeOrigin + performance.now();

type Member = { room: number; role: 'enterprise' | 'provider'; orgId: string; token: string; socket?: Socket; seen: Map<number, number> };
type Bid = { member: Member; sentAt: number; ackAt?: number; seq?: number; ok?: boolean; inWindow: boolean };

const members: Member[] = [];
const bidders: (Member & { priceFen: number; busy: boolean })[] = [];
const enterprises: Member[] = [];
fixture.rooms.forEach((r, i) => {
  const e: Member = { room: i, role: 'enterprise', orgId: r.enterprise.orgId, token: r.enterprise.token, seen: new Map() };
  enterprises.push(e);
  members.push(e);
  for (const b of r.bidders) {
    const m = { room: i, role: 'provider' as const, orgId: b.orgId, token: b.token, seen: new Map(), priceFen: b.priceFen, busy: false };
    bidders.push(m);
    members.push(m);
  }
});

let duplicated = 0;
let lastEventAt = 0;
let leaked = 0;
const errors = new Map<string, number>();
const countError = (code: string) => errors.set(code, (errors.get(code) ?? 0) + 1);

function open(m: Member, i: number) {
  const s = connect(urls[i % urls.length]!, { transports: ['websocket'], auth: { token: m.token }, reconnection: false, forceNew: true });
  m.socket = s;
  const requirementId = fixture.rooms[m.room]!.requirementId;
  s.on('room:event', (e: { requirementId: string; seq: number; audience: string[] }) => {
    if (e.requirementId !== requirementId) return;
    lastEventAt = now();
    const mine = m.role === 'enterprise' ? e.audience.includes('enterprise') : e.audience.includes(`provider:${m.orgId}`);
    if (!mine && !e.audience.includes('all')) leaked++;
    if (m.seen.has(e.seq)) duplicated++;
    else m.seen.set(e.seq, now());
  });
  return new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', (e) => reject(new Error(`socket ${i}: ${e.message}`)));
  });
}

const ack = (s: Socket, event: string, payload: unknown, ms = 30_000) => s.timeout(ms).emitWithAck(event, payload) as Promise<any>;

async function inBatches<T>(items: T[], size: number, work: (t: T, i: number) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map((t, j) => work(t, i + j)));
}

async function main() {
  const t0 = now();
  await inBatches(members, 100, open);
  const connectMs = now() - t0;

  // Join every room; the snapshot tells each bidder its current price (earlier runs lowered it).
  let roundsStarted = 0;
  await inBatches(members, 200, async (m) => {
    const r = await ack(m.socket!, 'room:join', { requirementId: fixture.rooms[m.room]!.requirementId });
    if (!r.ok) throw new Error(`join refused: ${JSON.stringify(r.error)}`);
    const mine = r.data?.snapshot?.mine;
    if (mine?.currentPriceFen) (m as (typeof bidders)[number]).priceFen = mine.currentPriceFen;
  });
  await inBatches(enterprises, 50, async (e) => {
    const room = fixture.rooms[e.room]!;
    const joined = await ack(e.socket!, 'room:join', { requirementId: room.requirementId });
    if (joined.data?.snapshot?.currentRound) return;
    const r = await ack(e.socket!, 'round:start', { requirementId: room.requirementId, providerIds: room.bidders.map((b) => b.orgId), durationMinutes: 60 });
    if (!r.ok) throw new Error(`round:start refused: ${JSON.stringify(r.error)}`);
    roundsStarted++;
  });
  await new Promise((r) => setTimeout(r, 1000));
  for (const m of members) m.seen.clear();

  // Open-loop load: every 10 ms the bids due so far go out, each from a bidder with no bid in flight
  // (a person waits for the answer before bidding again). A bid is counted in the window it was sent in.
  const bids: Bid[] = [];
  const start = now();
  const windowStart = start + WARMUP_MS;
  const windowEnd = windowStart + SECONDS * 1000;
  // This process's own event-loop delay per second of the window: a pause here (it holds every socket and
  // times every ack) would read as slow acks, so the timeline shows it beside them.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const loopMaxBySecond: number[] = Array.from({ length: SECONDS }, () => 0);
  const loopSample = setInterval(() => {
    const i = Math.floor((now() - windowStart) / 1000) - 1;
    if (i >= 0 && i < SECONDS) loopMaxBySecond[i] = Math.max(loopMaxBySecond[i]!, Math.round(loop.max / 1e6));
    loop.reset();
  }, 1000);
  let due = 0;
  let sent = 0;
  let behind = 0;
  let cursor = 0;
  const submit = (m: (typeof bidders)[number]) => {
    m.busy = true;
    const priceFen = Math.floor(m.priceFen * 0.985);
    const bid: Bid = { member: m, sentAt: now(), inWindow: false };
    bid.inWindow = bid.sentAt >= windowStart && bid.sentAt < windowEnd;
    bids.push(bid);
    sent++;
    m.socket!.timeout(30_000)
      .emitWithAck('bid:submit', { requirementId: fixture.rooms[m.room]!.requirementId, priceFen, clientId: randomUUID() })
      .then((r: any) => {
        bid.ackAt = now();
        bid.ok = r.ok;
        if (r.ok) {
          bid.seq = r.data.seq;
          m.priceFen = r.data.offer.priceFen;
        } else countError(r.error?.code ?? 'UNKNOWN');
      })
      .catch(() => countError('ACK_TIMEOUT'))
      .finally(() => (m.busy = false));
  };
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const t = now();
      if (t >= windowEnd) {
        clearInterval(tick);
        resolve();
        return;
      }
      due = Math.floor(((t - start) / 1000) * RATE);
      let tries = 0;
      while (sent < due && tries < bidders.length) {
        const m = bidders[cursor++ % bidders.length]!;
        tries++;
        if (!m.busy) submit(m);
      }
      if (sent < due) {
        behind += due - sent;
        sent = due; // a missed slot is skipped, not sent late in a burst
      }
    }, 10);
  });
  const drainUntil = now() + 60_000;
  while (now() < drainUntil && (now() - lastEventAt < QUIET_MS || bids.some((b) => b.ackAt === undefined && now() - b.sentAt < 30_000))) {
    await new Promise((r) => setTimeout(r, 200));
  }

  // Every event of a room goes to exactly one socket there (the bidder, the enterprise, or a bidder
  // whose rank moved), numbered without gaps. A bid's events run from its acknowledged seq to just
  // before the next accepted bid's; a number no socket received is lost.
  const byRoom = new Map<number, Map<number, number>>();
  for (const m of members) {
    const seen = byRoom.get(m.room) ?? new Map<number, number>();
    for (const [seq, t] of m.seen) seen.set(seq, Math.max(seen.get(seq) ?? 0, t));
    byRoom.set(m.room, seen);
  }
  const ackMs: number[] = [];
  const deliveryMs: number[] = [];
  let accepted = 0;
  let lost = 0;
  let acceptedInWindow = 0;
  const acceptedByRoom = new Map<number, Bid[]>();
  for (const b of bids) if (b.ok && b.seq !== undefined) acceptedByRoom.set(b.member.room, [...(acceptedByRoom.get(b.member.room) ?? []), b]);
  for (const [room, list] of acceptedByRoom) {
    list.sort((x, y) => x.seq! - y.seq!);
    const seen = byRoom.get(room)!;
    const span = fixture.rooms[room]!.bidders.length + 2; // the most events one bid makes
    list.forEach((b, i) => {
      accepted++;
      // Up to the next bid's first event; for the last bid (or where numbering jumps, as when the
      // baseline's two nodes number in their own ranges) up to the last event seen of its batch.
      const next = list[i + 1]?.seq;
      let end = b.seq! + 1;
      if (next !== undefined && next - b.seq! <= span) end = next - 1;
      else for (let s = b.seq! + 2; s < b.seq! + span; s++) if (seen.has(s)) end = s;
      let last = 0;
      let missing = 0;
      for (let s = b.seq!; s <= end; s++) {
        const got = seen.get(s);
        if (got === undefined) missing++;
        else last = Math.max(last, got);
      }
      lost += missing;
      if (!b.inWindow) return;
      acceptedInWindow++;
      ackMs.push(b.ackAt! - b.sentAt);
      if (!missing) deliveryMs.push(last - b.sentAt);
    });
  }
  const pct = (xs: number[], p: number) => {
    if (!xs.length) return NaN;
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
  };
  clearInterval(loopSample);
  loop.disable();
  const result = {
    sockets: members.length,
    connectMs: Math.round(connectMs),
    roundsStarted,
    targetPerSecond: RATE,
    sentInWindow: bids.filter((b) => b.inWindow).length,
    acceptedPerSecond: acceptedInWindow / SECONDS,
    accepted,
    unanswered: bids.filter((b) => b.ackAt === undefined).length,
    behindSchedule: behind,
    ackP50: pct(ackMs, 50),
    ackP90: pct(ackMs, 90),
    ackP99: pct(ackMs, 99),
    // The wall clock at the window's start, to set the seconds beside the nodes' GC log and the database's log.
    windowStartedAt: new Date(windowStart).toISOString(),
    loadLoopMaxBySecond: loopMaxBySecond,
    // Each second of the window: its bids' ack p99 (where a tail comes from: a start, a pause, throughout).
    ackP99BySecond: Array.from({ length: SECONDS }, (_, i) =>
      Math.round(
        pct(
          bids.filter((b) => b.inWindow && b.ackAt !== undefined && Math.floor((b.sentAt - windowStart) / 1000) === i).map((b) => b.ackAt! - b.sentAt),
          99,
        ),
      ),
    ),
    deliveryP50: pct(deliveryMs, 50),
    deliveryP99: pct(deliveryMs, 99),
    lost,
    duplicated,
    leaked,
    errors: Object.fromEntries(errors),
  };
  for (const m of members) m.socket?.close();
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
