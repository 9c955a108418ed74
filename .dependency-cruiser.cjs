/**
 * The layer rules of wareflow, checked by `npm run deps:check` (part of `npm test`).
 *
 *   platform ◀── db ◀── engine, workers ◀── inventory, dags, streaming ◀── dashboard ◀── cli
 *
 * - The engine (engine/, workers/) imports only platform/: it ships without the domain.
 * - The domain (inventory/, dags/, streaming/) sees the engine only through engine/index.ts.
 * - Between owners, an import goes to the other owner's public index.ts (inventory/ has one per
 *   sub-owner: inventory/alerts/index.ts, inventory/events/index.ts …); never to its store/.
 * - cli/ is the composition root; bench/ and test/ may reach anything they measure or specify.
 */
const OWNER_INDEX =
  '^(platform|db|engine|workers|dags|streaming|dashboard|services|cli)/index\\.ts$|^inventory/[^/]+/index\\.ts$';

/** `from` may import only these top-level folders (its own folder is always allowed). */
const layer = (name, from, allowed) => ({
  name,
  severity: 'error',
  comment: `${from} may import only ${allowed.join(', ')}`,
  from: { path: `^${from}/` },
  to: { dependencyTypes: ['local'], pathNot: [`^${from}/`, ...allowed.map((a) => `^${a}/`)] },
});

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    layer('platform-is-the-base', 'platform', []),
    layer('db-is-plumbing', 'db', ['platform']),
    layer('engine-knows-no-domain', 'engine', ['platform']),
    layer('workers-run-the-engine', 'workers', ['platform', 'engine']),
    layer('inventory-stands-alone', 'inventory', ['platform', 'db']),
    layer('dags-use-engine-and-inventory', 'dags', ['platform', 'db', 'engine', 'inventory']),
    layer('streaming-uses-inventory', 'streaming', ['platform', 'db', 'inventory']),
    layer('services-are-ops', 'services', ['platform']),
    layer('dashboard-presents', 'dashboard', ['platform', 'db', 'engine', 'inventory', 'streaming', 'dags']),
    {
      name: 'through-the-public-index',
      severity: 'error',
      comment: 'another owner is reached through its index.ts, never a file inside it',
      from: { path: '^(platform|db|engine|workers|inventory|dags|streaming|dashboard|services|cli)/' },
      to: {
        path: '^(platform|db|engine|workers|dags|streaming|dashboard|services|cli)/',
        pathNot: [OWNER_INDEX, '^$1/'],
      },
    },
    {
      name: 'inventory-sub-owners-through-their-index',
      severity: 'error',
      from: { path: '^inventory/([^/]+)/' },
      to: { path: '^inventory/', pathNot: ['^inventory/$1/', '^inventory/[^/]+/index\\.ts$'] },
    },
    {
      name: 'domain-into-inventory-through-its-index',
      severity: 'error',
      from: { path: '^(platform|db|engine|workers|dags|streaming|dashboard|services|cli)/' },
      to: { path: '^inventory/', pathNot: ['^inventory/[^/]+/index\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|\\.cache|data|artifacts)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.d.ts'] },
  },
};
