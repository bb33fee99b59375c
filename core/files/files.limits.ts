/**
 * What the files API accepts, with no imports: the service enforces it, and the pages' pickers check
 * the same limits before uploading so a person hears at once.
 */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];
