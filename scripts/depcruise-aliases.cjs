// The import aliases of svelte.config.js and SvelteKit ($lib), for dependency-cruiser's resolver.
const { join } = require('node:path');
const root = join(__dirname, '..');
module.exports = {
  resolve: {
    alias: { $core: join(root, 'core'), $db: join(root, 'db'), $realtime: join(root, 'realtime'), $lib: join(root, 'web/src/lib') },
  },
};
