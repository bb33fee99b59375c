import { files } from '../../db/schema';
import { defineContext } from '../platform/context';
import { createFileService } from './files.service';

/**
 * Uploaded files. Who may read a file attached to a subject is decided by the context owning the
 * file's purpose (`fileAccess` in its context module); the platform wires them into this service.
 */
export const filesContext = defineContext({
  name: 'files',
  tables: { files },
  create: ({ db }) => ({ files: createFileService({ db }) }),
});
