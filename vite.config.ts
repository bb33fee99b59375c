import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { sveltekit } from '@sveltejs/kit/vite';
import tailwindcss from '@tailwindcss/vite';
import { defineConfig } from 'vite';
import { bangfuDevServer } from './realtime/dev-plugin.ts';

export default defineConfig({
  plugins: [
    // The inlang project loads its message-format plugin from node_modules (see project.inlang/settings.json),
    // never from a CDN; zh-CN is the base locale, English is chosen with the cookie.
    paraglideVitePlugin({
      project: './project.inlang',
      outdir: './web/src/lib/paraglide',
      strategy: ['cookie', 'baseLocale'],
      // .d.ts next to the generated JS so svelte-check types m.* without allowJs in the shared tsconfig.
      emitTsDeclarations: true,
    }),
    tailwindcss(),
    sveltekit(),
    // `npm run dev`: the API and socket.io on vite's dev server (no effect on builds).
    bangfuDevServer(),
  ],
  server: { fs: { allow: ['core', 'db', 'realtime'] } },
});
