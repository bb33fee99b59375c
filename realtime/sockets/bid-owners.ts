import { createHash, randomUUID } from 'node:crypto';
import type { Platform } from '../../core/platform/platform';
import type { Actor } from '../../core/shared/actor';
import { AppError, isAppError, toErrorBody } from '../../core/shared/app-error';
import { logger } from '../../core/shared/logger';
import type { ForwardedAnswer, ForwardedBid } from '../events';
import type { BangfuIo } from './io';

type OfferResult = Awaited<ReturnType<Platform['services']['rooms']['submitOffer']>>;

/** How often a node says it is alive, and how long after its last word it counts as gone. */
const BEAT_MS = 2000;
const GONE_MS = 3 * BEAT_MS;
/** How long a node waits for the other nodes' answers to a question (the adapter's own limit is 3 s). */
const ANSWER_TIMEOUT_MS = 3500;

/**
 * The other nodes' answers to a question asked over the socket.io adapter (serverSideEmitWithAck), or
 * none when they cannot be had: no Redis adapter, Redis unreachable, or no answer within 3.5 s (the
 * adapter waits for every node it counted; a question sent while Redis was away may never be answered).
 */
export async function answersOfOtherNodes<T>(question: Promise<T[]>): Promise<T[]> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([question.catch(() => [] as T[]), new Promise<T[]>((resolve) => (timer = setTimeout(() => resolve([]), ANSWER_TIMEOUT_MS)))]).finally(
    () => clearTimeout(timer),
  );
}

/** Each socket.io server's router of bids to room owners (set up with the server in io.ts). */
export const bidOwners = new WeakMap<BangfuIo, ReturnType<typeof roomBidOwners>>();

/**
 * With several realtime nodes, each room's bids are decided on one of them, its owner: the node that
 * ranks highest for the room among the nodes alive (rendezvous hashing over the nodes that said they are
 * alive in the last 6 s, in a Redis sorted set). A node that receives a bid for a room it does not own
 * hands it to the owner over the socket.io adapter and answers the bidder with the owner's answer.
 *
 * Nothing here is needed for correctness: a room's write still applies only on the state it was decided
 * on (rooms.service.ts), so two nodes deciding one room's bids stay right. Without an owner they race,
 * and the loser decides again on a fresh read: with a room's bidders spread over two nodes, a third of
 * the writes were lost that way. With an owner, a room's bids queue on one node and go together.
 *
 * A node that joins or leaves moves some rooms to another owner; for a few seconds two nodes may both
 * decide a room's bids, which is the race above, not an error. A forwarded bid is always decided where
 * it arrives, never forwarded again. When the owner does not answer within 3.5 s the bid is decided where it
 * came in; if the owner decided it after all, the bid's client id makes the second decision return the
 * first offer.
 */
export function roomBidOwners(io: BangfuIo, platform: Platform) {
  const rooms = platform.services.rooms;
  const redis = platform.redis;
  const database = platform.dbHandle.url;
  // One node alone, or an embedded database no other process can open: every bid is decided here.
  if (!redis || !database) return { submitOffer: (...args: Parameters<typeof rooms.submitOffer>) => rooms.submitOffer(...args), stop: () => {} };

  const me: string = randomUUID();
  // The nodes of this database only: another deployment (or test) may share the Redis and its prefix.
  const key = `${platform.redisPrefix}realtime-nodes:${createHash('sha1').update(database).digest('hex').slice(0, 16)}`;
  let alive: string[] = [me];
  const log = logger.child({ component: 'bid-owners' });

  const beat = async () => {
    const now = Date.now();
    const result = await redis
      .multi()
      .zadd(key, String(now), me)
      .zremrangebyscore(key, '-inf', String(now - GONE_MS))
      .zrange(key, '0', '-1')
      .pexpire(key, 2 * GONE_MS) // gone with the last node, however it stopped
      .exec();
    const members = result?.[2]?.[1];
    if (Array.isArray(members)) alive = members.includes(me) ? (members as string[]) : [...(members as string[]), me];
  };
  // Without Redis the nodes cannot hand bids to each other: each decides its own until it is back.
  const tick = () =>
    void beat().catch((err) => {
      alive = [me];
      log.warn({ err }, 'node heartbeat failed');
    });
  const timer = setInterval(tick, BEAT_MS);
  timer.unref?.();
  tick();

  /** The node that decides a room's bids: the highest hash of (node, room) among the nodes alive. */
  const ownerOf = (requirementId: string) => {
    let best = me;
    let bestScore = '';
    for (const node of alive) {
      const score = createHash('sha1').update(`${node}:${requirementId.toLowerCase()}`).digest('hex');
      if (score > bestScore) [best, bestScore] = [node, score];
    }
    return best;
  };

  io.on('bid:forward', (bid: ForwardedBid, answer: (a: ForwardedAnswer) => void) => {
    if (bid?.owner !== me) return answer(null);
    rooms.submitOffer(bid.actor, bid.requirementId, bid.input).then(
      (data) => answer({ ok: true, data }),
      (e: unknown) => {
        if (!isAppError(e)) log.error({ err: e }, 'forwarded bid failed');
        answer({ ok: false, error: toErrorBody(e).body });
      },
    );
  });

  return {
    /** rooms.submitOffer, on the room's owner. */
    async submitOffer(actor: Actor | null, requirementId: string, input: ForwardedBid['input']): Promise<OfferResult> {
      const owner = actor && alive.length > 1 ? ownerOf(requirementId) : me;
      if (owner !== me) {
        const answers = await answersOfOtherNodes<ForwardedAnswer>(io.serverSideEmitWithAck('bid:forward', { owner, actor: actor!, requirementId, input }));
        const answer = answers.find(Boolean);
        if (answer?.ok) return answer.data;
        if (answer) throw new AppError(answer.error.code, answer.error.message, answer.error.fields, answer.error.retryAfterSeconds);
      }
      return rooms.submitOffer(actor, requirementId, input);
    },
    stop() {
      clearInterval(timer);
      void redis.zrem(key, me).catch(() => {});
    },
  };
}
