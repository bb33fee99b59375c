import { z } from 'zod';
import { importRoom } from '../../core/imports/imports.service';
import type { Platform } from '../../core/platform/platform';
import { parseInput } from '../../core/shared/validate';
import type { BangfuSocket } from '../contexts';
import { ackRunner } from './ack';
import type { BangfuIo } from './io';

const WatchInput = z.object({ batchId: z.string({ message: '请指定导入批次' }).min(1, '请指定导入批次').max(64, '导入批次编号无效') });

/**
 * Import progress: `imports:watch` answers the batch's view (refused as its preview would be) and joins
 * `import:<id>`, where the jobs push `imports:progress`; `imports:unwatch` leaves it.
 */
export function registerImportHandlers(_io: BangfuIo, socket: BangfuSocket, platform: Platform) {
  const handle = ackRunner(socket, platform);
  socket.on('imports:watch', (p, ack) =>
    handle(ack, async () => {
      const { batchId } = parseInput(WatchInput, p);
      const view = await platform.services.imports.get(socket.data.actor ?? null, batchId);
      await socket.join(importRoom(view.id));
      return view;
    }),
  );
  socket.on('imports:unwatch', (p, ack) =>
    handle(ack, async () => {
      const { batchId } = parseInput(WatchInput, p);
      await socket.leave(importRoom(batchId));
      return null;
    }),
  );
}
