import type { Platform } from '../../core/platform/platform';
import { consultationChannels } from '../../core/tenders/consultations.service';
import { ConsultationRef } from '../../core/tenders/consultations.schema';
import { AppError } from '../../core/shared/app-error';
import { parseInput } from '../../core/shared/validate';
import type { BangfuSocket } from '../contexts';
import type { ConsultationMessageView, ConsultationThreadView, Sendable } from '../events';
import { ackRunner } from './ack';
import type { BangfuIo } from './io';

/**
 * 咨询 over socket.io: `consultation:join` answers the newest messages and joins the caller's side of the
 * conversation (live messages, receipts, typing); send, receipts and typing call the consultation
 * service with the socket's actor, which refuses anyone but the two organisations before anything is
 * joined or written.
 */
export function registerConsultationHandlers(_io: BangfuIo, socket: BangfuSocket, platform: Platform) {
  const handle = ackRunner(socket, platform);
  const consultations = platform.services.consultations;
  /** The ack travels as JSON: Dates arrive as the ISO strings the contract names. */
  const wire = <T>(v: Sendable<T>): T => JSON.parse(JSON.stringify(v)) as T;
  const actor = () => {
    if (!socket.data.actor) throw new AppError('UNAUTHENTICATED', '请先登录');
    return socket.data.actor;
  };

  socket.on('consultation:join', (raw, ack) =>
    handle(ack, async () => {
      const { consultationId } = parseInput(ConsultationRef, raw);
      const thread = await consultations.thread(actor(), consultationId, { pageSize: 50 });
      await socket.join(consultationChannels.side(consultationId, thread.consultation.side));
      return wire<ConsultationThreadView>(thread);
    }),
  );

  socket.on('consultation:leave', (raw, ack) =>
    handle(ack, async () => {
      const { consultationId } = parseInput(ConsultationRef, raw);
      for (const ch of consultationChannels.both(consultationId)) await socket.leave(ch);
      return null;
    }),
  );

  socket.on('consultation:send', (raw, ack) =>
    handle(ack, async () => {
      const { consultationId } = parseInput(ConsultationRef, raw);
      const { body, clientId } = (raw ?? {}) as Record<string, unknown>;
      return wire<ConsultationMessageView>(await consultations.postMessage(actor(), consultationId, { body, clientId }));
    }),
  );

  socket.on('consultation:delivered', (raw, ack) => handle(ack, () => consultations.markMessages(actor(), raw, 'delivered')));
  socket.on('consultation:read', (raw, ack) => handle(ack, () => consultations.markMessages(actor(), raw, 'read')));

  socket.on('consultation:typing', (raw) =>
    handle(undefined, async () => {
      const { consultationId } = parseInput(ConsultationRef, raw);
      const side = await consultations.sideOf(actor(), consultationId);
      socket
        .to(consultationChannels.side(consultationId, side === 'enterprise' ? 'provider' : 'enterprise'))
        .emit('consultation:typing', { consultationId, side });
    }),
  );
}
