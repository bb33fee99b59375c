import { importBatches, importRows } from '../../db/schema';
import { defineContext } from '../platform/context';
import { createImportService } from './imports.service';

/**
 * The spreadsheet-import engine: batches, staged rows, preview, confirmation, progress. Contexts that
 * import sheets register their kinds with `n.imports.register(kind)` in their own `create`.
 */
export const importsContext = defineContext({
  name: 'imports',
  tables: { importBatches, importRows },
  create: ({ db, clock, jobs, publisher, rateLimiter, log }) => ({
    imports: createImportService({ db, clock, jobs, publisher, rateLimiter, log }),
  }),
  // A batch left parsing or confirming by a restart gets its job again (both jobs resume from the rows).
  jobs: { resume: (s) => s.imports.resume() },
});
