import type { Platform } from '../../core/platform/platform';
import { isAppError, toErrorBody } from '../../core/shared/app-error';
import { logger } from '../../core/shared/logger';
import type { BangfuSocket } from '../contexts';
import type { Ack, AckResult } from '../events';

/**
 * How a socket event answers: runs its work and acks `{ ok: true, data }`, or `{ ok: false, error }`
 * with the AppError's body (anything else is logged and answered as an internal error), with the server
 * time either way. An event sent without an ack is run all the same.
 */
export function ackRunner(socket: BangfuSocket, platform: Platform) {
  const now = () => platform.clock.now().toISOString();
  const log = logger.child({ socketId: socket.id });
  return async function handle<T>(ack: Ack<T> | undefined, run: () => Promise<T>) {
    let result: AckResult<T>;
    try {
      result = { ok: true, data: await run(), serverTime: now() };
    } catch (e) {
      if (!isAppError(e)) log.error({ err: e }, 'socket event failed');
      result = { ok: false, error: toErrorBody(e).body, serverTime: now() };
    }
    if (typeof ack === 'function') ack(result);
  };
}
