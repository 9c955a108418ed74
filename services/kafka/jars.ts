import { promises as fs } from 'node:fs';
import { CommandNotFoundError, run } from '../process.js';

/** Written last into a finished jar folder, so a half-copied folder is never taken for a complete one. */
const COMPLETE_MARKER = '.complete';

export async function jarsPresent(lib: string): Promise<boolean> {
  try {
    await fs.access(`${lib}/${COMPLETE_MARKER}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Fetches the broker's jars from Maven Central once, with the machine's Maven, into `lib`.
 * Resolves with whether it had to fetch. Maven fills a side folder of this process that is
 * renamed when complete, so an interrupted download is simply redone and two fetches at once
 * cannot mix their files.
 */
export async function ensureKafkaJars(paths: {
  pom: string;
  lib: string;
  libPartial: string;
}): Promise<boolean> {
  if (await jarsPresent(paths.lib)) return false;
  const partial = `${paths.libPartial}-${process.pid}`;
  await fs.rm(partial, { recursive: true, force: true });
  try {
    await run('mvn', [
      '-q',
      '-B',
      '-f',
      paths.pom,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${partial}`,
    ]);
  } catch (err) {
    await fs.rm(partial, { recursive: true, force: true });
    if (err instanceof CommandNotFoundError) {
      throw new Error(
        'Kafka is not running and its jars are not cached yet, and Maven is missing: ' +
          'install Maven (apt-get install maven) so `wareflow services up` can fetch Apache Kafka from Maven Central',
      );
    }
    throw err;
  }
  const jars = (await fs.readdir(partial)).filter((f) => f.endsWith('.jar'));
  if (!jars.some((f) => /^kafka_2\.13-.*\.jar$/.test(f))) {
    throw new Error(`Maven finished but ${partial} holds no kafka_2.13 jar`);
  }
  await fs.writeFile(`${partial}/${COMPLETE_MARKER}`, `${jars.length} jars\n`);
  if (await jarsPresent(paths.lib)) {
    // Another fetch finished first; its jars are as good as ours.
    await fs.rm(partial, { recursive: true, force: true });
    return false;
  }
  await fs.rm(paths.lib, { recursive: true, force: true });
  await fs.rename(partial, paths.lib);
  return true;
}

/** The Kafka version the POM fetches (its `kafka.version` property). */
export async function kafkaVersion(pom: string): Promise<string> {
  const text = await fs.readFile(pom, 'utf8');
  return /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(text)?.[1] ?? 'unknown';
}
