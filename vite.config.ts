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
});
