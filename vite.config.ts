import { sveltekit } from '@sveltejs/kit/vite';
import tailwindcss from '@tailwindcss/vite';
import { defineConfig } from 'vite';
import { bangfuDevServer } from './realtime/dev-plugin.ts';

export default defineConfig({
  plugins: [
    tailwindcss(),
    sveltekit(),
    // `npm run dev`: the API and socket.io on vite's dev server (no effect on builds).
    bangfuDevServer(),
  ],
  server: { fs: { allow: ['core', 'db', 'realtime'] } },
  build: {
    rolldownOptions: {
      output: {
        // The icons as one file instead of one tiny file each: a page with a dozen icons fetched a dozen
        // 300-byte files before it could run (`npm run bench:weight`).
        codeSplitting: { groups: [{ name: 'icons', test: /node_modules[\\/]@lucide[\\/]svelte/ }] },
      },
    },
  },
});
