/**
 * Boundaries of the code base (`npm run lint:deps`):
 * core is framework-free, handlers and pages reach the database only through core, contexts talk
 * through each other's services (never another context's repository), db knows nothing of core,
 * code that runs in the browser reaches no Node built-in, and nothing imports itself in a circle.
 * Only imports that survive compilation count: a type-only import is erased and constrains nothing.
 */
/** Test code may set up data directly (the test database helpers), so the layering rules skip it. */
const TESTS = '(\\.test\\.ts$|/test-helpers\\.ts$|^core/testing/|^db/test/|^e2e/)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-framework-free',
      comment: 'core holds the domain: it imports no web framework (Hono, socket.io, SvelteKit), so any transport can call it.',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: '(^|/)node_modules/(hono|@hono/[^/]+|socket\\.io|@socket\\.io/[^/]+|@sveltejs/kit)/|^\\$app/' },
    },
    {
      name: 'core-framework-free-unresolved',
      comment: 'SvelteKit virtual modules ($app/*) imported from core.',
      severity: 'error',
      from: { path: '^core/' },
      to: { couldNotResolve: true, path: '^\\$app/' },
    },
    {
      name: 'handlers-and-pages-not-db',
      comment: 'API handlers, socket handlers and pages reach data through core services; types come from core schemas.',
      severity: 'error',
      from: { path: '^(realtime/api|realtime/sockets|web/src)/', pathNot: TESTS },
      to: { path: '^db/' },
    },
    {
      name: 'no-foreign-repo',
      comment: "A context calls another context's service, never its repository.",
      severity: 'error',
      from: { path: '^core/([^/]+)/', pathNot: TESTS },
      to: { path: '^core/([^/]+)/.*\\.repo\\.ts$', pathNot: '^core/$1/' },
    },
    {
      name: 'db-not-core',
      comment: 'The database layer (schema, migrations, client) imports nothing from core.',
      severity: 'error',
      from: { path: '^db/', pathNot: TESTS },
      to: { path: '^core/' },
    },
    {
      name: 'browser-no-node',
      comment:
        'Code that runs in the browser (components, universal load functions, client libraries) never reaches a Node built-in: Vite would stub it and the page would fail after hydration (Internal Error). Server-only code lives in *.server.ts and $lib/server.',
      severity: 'error',
      from: {
        path: '^web/src/(routes/.*\\.svelte|routes/.*\\+(page|layout)\\.ts|lib/(?!server/).*\\.(svelte|ts)|hooks\\.client\\.ts)$',
        pathNot: '(\\.server\\.ts|\\.test\\.ts)$',
      },
      to: {
        path: '^(node:|fs$|path$|module$|crypto$|os$|child_process$|worker_threads$|stream$|net$|tls$|http$|https$|url$|util$|events$|buffer$|zlib$)',
        reachable: true,
      },
    },
    {
      name: 'no-circular',
      comment:
        'Import cycles make load order matter and modules impossible to reason about alone. Type-only imports vanish at run time, so a cycle counts only when every step loads code.',
      severity: 'error',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'], viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(\\.svelte-kit|build|\\.data)/|^web/src/lib/paraglide/|^realtime/api/generated/' },
    tsPreCompilationDeps: false,
    tsConfig: { fileName: 'tsconfig.json' },
    // SvelteKit's aliases ($core, $lib, …, from svelte.config.js): the paths SvelteKit writes into its
    // generated tsconfig are relative to that file, which the tsconfig resolver misreads.
    webpackConfig: { fileName: 'scripts/depcruise-aliases.cjs' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types', 'svelte'],
      extensions: ['.ts', '.js', '.mjs', '.svelte', '.d.ts', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
