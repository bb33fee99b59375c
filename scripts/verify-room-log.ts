// Recomputes a bidding room's hash chain from the database and prints the verdict
// (docs/decisions/012-verifiable-room-log.md).
//
//   npm run room-log:verify -- <requirementId>
//   DATABASE_URL=postgres://… npx tsx scripts/verify-room-log.ts <requirementId>
//
// Opens PostgreSQL when DATABASE_URL is set, else the embedded database in DATA_DIR (default .data),
// as the server does; the embedded folder is locked while a server runs on it, so stop it first.
// Exit status: 0 when the chain holds, 1 when it does not, 2 on a usage or database error.
import { openDb } from '../db/client';
import { verifyRoomLog } from '../core/rooms/room-log';

const requirementId = process.argv[2];
if (!requirementId || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(requirementId)) {
  console.error('用法：npm run room-log:verify -- <需求编号 (UUID)>');
  process.exit(2);
}

const handle = await openDb({ databaseUrl: process.env.DATABASE_URL || undefined, dataDir: process.env.DATA_DIR || '.data', max: 1 });
let code = 2;
try {
  const verdict = await verifyRoomLog(handle.db, requirementId);
  if (verdict.ok) {
    console.log(`ok: ${verdict.count} 个事件的哈希链完整${verdict.legacy ? `（另有 ${verdict.legacy} 个启用哈希链之前的事件）` : ''}`);
    console.log(`lastHash: ${verdict.lastHash ?? '（无）'}`);
    code = 0;
  } else {
    console.log(`failed at seq ${verdict.atSeq}: ${verdict.reason}`);
    code = 1;
  }
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
} finally {
  await handle.close();
}
process.exit(code);
