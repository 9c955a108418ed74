/**
 * `npm run bench -- NAME`: runs one benchmark (bench/NAME.ts, which exports `run(args)`). Each
 * prints a human table and, as its last line, the SPEC §8 JSON document.
 */
const NAMES = ['scheduler', 'etl', 'streaming'];

const [name, ...args] = process.argv.slice(2);
if (!name || !NAMES.includes(name)) {
  console.error(`usage: npm run bench -- ${NAMES.join('|')}`);
  process.exit(2);
}
const bench = (await import(`./${name}.ts`)) as { run(args: string[]): Promise<void> };
await bench.run(args);
// A benchmark is over once its report is printed; an idle client socket or timer left open must
// not keep the process waiting.
process.exit(process.exitCode ?? 0);
