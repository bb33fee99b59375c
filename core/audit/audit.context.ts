import { auditLog } from '../../db/schema';
import { defineContext } from '../platform/context';
import { createAuditService } from './audit.service';

/** The audit trail (操作记录): every context writes rows with recordAudit in its own transaction; this context searches and exports them. */
export const auditContext = defineContext({
  name: 'audit',
  tables: { auditLog },
  create: ({ db }) => ({ audit: createAuditService({ db }) }),
});
