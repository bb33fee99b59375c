/** Where a saved product picture's thumbnail is served (catalog.imageBytes; see productImageUrl in core). */
const thumbUrl = (fileId: string) => `/api/v1/mall/images/${fileId}/thumb`;

/**
 * The form's pictures from the ids it posted (kept through a refusal): saved ones show their
 * thumbnail, new uploads the file itself (the merchant's own upload).
 */
export function imagesFromIds(ids: string | undefined, saved: string[]) {
  return (ids ?? '')
    .split(',')
    .filter(Boolean)
    .map((id) => ({ id, url: saved.includes(id) ? thumbUrl(id) : `/api/v1/files/${id}` }));
}
