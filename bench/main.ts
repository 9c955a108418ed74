/**
 * `npm run bench -- NAME`: runs one benchmark. Each prints a human table and, as its last line,
 * the SPEC §8 JSON document.
 */
const BENCHES: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  scheduler: () => import('./scheduler.js'),
  etl: () => import('./etl.js'),
  streaming: () => import('./streaming.js'),
};

const [name, ...args] = process.argv.slice(2);
const load = name ? BENCHES[name] : undefined;
if (!load) {
  console.error(`usage: npm run bench -- ${Object.keys(BENCHES).join('|')}`);
  process.exit(2);
}
await (await load()).run(args);
