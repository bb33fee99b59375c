import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/**
 * The SvelteKit app lives in web/; its config sits at the root so that one package.json (and one
 * lockfile) serves every part, and adapter-node treats our runtime dependencies as external.
 * See docs/decisions/001-one-package-root-config.md.
 */
/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ out: 'web/build', precompress: true }),
    files: {
      src: 'web/src',
      assets: 'web/static',
      lib: 'web/src/lib',
      routes: 'web/src/routes',
      appTemplate: 'web/src/app.html',
      errorTemplate: 'web/src/error.html',
      hooks: { server: 'web/src/hooks.server', client: 'web/src/hooks.client', universal: 'web/src/hooks' },
      params: 'web/src/params',
    },
    alias: { $core: 'core', $db: 'db', $realtime: 'realtime' },
  },
};
