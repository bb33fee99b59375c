import type { Platform } from './platform';

/**
 * The one platform instance of this process. The SvelteKit build bundles its own copy of `core`,
 * so the instance lives on globalThis where the server entry put it (or where the dev server did).
 */
const KEY = Symbol.for('bangfu.platform');
type Holder = { [KEY]?: Promise<Platform> };

export function setPlatform(p: Promise<Platform> | Platform) {
  (globalThis as Holder)[KEY] = Promise.resolve(p);
}

export async function getPlatform(): Promise<Platform> {
  const existing = (globalThis as Holder)[KEY];
  if (existing) return existing;
  // Pages started on their own (vite dev, or `start:web` before the entry set it): build one here.
  const { loadConfig } = await import('../shared/config');
  const { createPlatform } = await import('./platform');
  const p = createPlatform(loadConfig());
  setPlatform(p);
  return p;
}
