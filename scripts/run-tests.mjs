// Runs node:test over every *.test.ts file under the given folders, with tsx for TypeScript.
// Usage: node scripts/run-tests.mjs FOLDER... (extra node --test flags go after --)
// The spec reporter writes to stdout. The failed tests are listed again at the end and written to
// TEST_FAILURES_FILE when it is set, so `npm test` can repeat them after its last step.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const separator = process.argv.indexOf('--');
const folders = process.argv.slice(2, separator === -1 ? undefined : separator);
const extra = separator === -1 ? [] : process.argv.slice(separator + 1);

/** Lists test files under a folder, skipping dependencies and build output. */
function findTests(dir) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'dist') {
      found.push(...findTests(full));
    } else if (entry.isFile() && entry.name.endsWith('.test.ts')) {
      found.push(full);
    }
  }
  return found;
}

const files = folders
  .filter((folder) => fs.existsSync(folder))
  .flatMap((folder) => findTests(folder))
  .sort();
if (files.length === 0) {
  console.error(`No *.test.ts files under ${folders.join(', ')}`);
  process.exit(1);
}
const failuresFile =
  process.env.TEST_FAILURES_FILE ??
  path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'llm-workbench-tests-')), 'failures.txt');
fs.rmSync(failuresFile, { force: true });
const reporter = new URL('./failure-summary-reporter.mjs', import.meta.url).href;
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${reporter}`,
    `--test-reporter-destination=${failuresFile}`,
    ...extra,
    ...files,
  ],
  { stdio: 'inherit' },
);
if (fs.existsSync(failuresFile) && fs.statSync(failuresFile).size > 0) {
  console.log(`\n${fs.readFileSync(failuresFile, 'utf8')}`);
}
process.exit(result.status ?? 1);
