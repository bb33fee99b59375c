import { z } from 'zod';

/** A stored file as every context shows it: where to fetch it, never its bytes. */
export const FileView = z.object({ id: z.uuid(), filename: z.string(), contentType: z.string(), sizeBytes: z.number().int(), url: z.string() });
export type FileView = z.output<typeof FileView>;
