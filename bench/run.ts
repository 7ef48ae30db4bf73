// Runs one benchmark by name: `npm run bench -- NAME`.

/** The interface every benchmark module exports. */
interface Benchmark {
  run(): Promise<void>;
}

/** Benchmark names and their modules, loaded only when chosen. */
const BENCHMARKS: Record<string, () => Promise<Benchmark>> = {
  auth: () => import('./auth.js'),
  datasets: () => import('./datasets.js'),
  load: () => import('./mixedLoad.js'),
  parsers: () => import('./parsers.js'),
  stream: () => import('./stream.js'),
  'training-log': () => import('./trainingLog.js'),
};

async function main(): Promise<void> {
  const name = process.argv[2];
  const load = name === undefined ? undefined : BENCHMARKS[name];
  if (load === undefined) {
    const problem =
      name === undefined ? 'Missing benchmark name' : `Unknown benchmark ${JSON.stringify(name)}`;
    const names = Object.keys(BENCHMARKS).join(', ');
    process.stderr.write(`${problem}. Usage: npm run bench -- NAME, with NAME one of: ${names}\n`);
    process.exitCode = 2;
    return;
  }
  const benchmark = await load();
  // `npm start` runs without source maps, and tsx turns them on. With them, the stack trace that
  // Sequelize formats for every SQLite query cut one training log measurement by about 30%.
  process.setSourceMapsEnabled(false);
  await benchmark.run();
}

main().catch((error: unknown) => {
  // Mapped again, so the stack of the error points at the TypeScript sources.
  process.setSourceMapsEnabled(true);
  process.stderr.write(
    `Benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exitCode = 1;
});
