import { z } from 'zod';
import type { Platform } from '../../core/platform/platform';
import { parseInput } from '../../core/shared/validate';
import { bureauRoom } from '../../core/vouchers/campaigns.service';
import { campaignRoom } from '../../core/vouchers/grabs.service';
import type { BangfuSocket } from '../contexts';
import { ackRunner } from './ack';
import type { BangfuIo } from './io';

const WatchInput = z.object({ campaignId: z.string({ message: '请指定活动' }).min(1, '请指定活动').max(64, '活动编号无效') });

/**
 * Live grab counts: `vouchers:watch` joins a campaign's public room (granted / remaining per tier, pushed
 * as `vouchers:counts` at most a few times a second while coupons are granted) and answers the current
 * counts; `vouchers:unwatch` leaves it. The counts are public, as on the grab page.
 */
export function registerVoucherHandlers(_io: BangfuIo, socket: BangfuSocket, platform: Platform) {
  const handle = ackRunner(socket, platform);
  socket.on('vouchers:watch', (p, ack) =>
    handle(ack, async () => {
      const { campaignId } = parseInput(WatchInput, p);
      const counts = await platform.services.voucherGrabs.countsOf(campaignId);
      await socket.join(campaignRoom(campaignId));
      return counts;
    }),
  );
  // The bureau's console: only the owning bureau (the service refuses others with NOT_FOUND before any join).
  socket.on('vouchers:console', (p, ack) =>
    handle(ack, async () => {
      const { campaignId } = parseInput(WatchInput, p);
      const figures = await platform.services.voucherCampaigns.watchConsole(socket.data.actor ?? null, campaignId);
      const counts = await platform.services.voucherGrabs.countsOf(campaignId);
      await socket.join([campaignRoom(campaignId), bureauRoom(campaignId)]);
      return { counts, figures };
    }),
  );
  socket.on('vouchers:unwatch', (p, ack) =>
    handle(ack, async () => {
      const { campaignId } = parseInput(WatchInput, p);
      await socket.leave(campaignRoom(campaignId));
      await socket.leave(bureauRoom(campaignId));
      return null;
    }),
  );
}
