// Runs node:test over every *.test.ts file under the given folders, with tsx for TypeScript.
// Usage: node scripts/run-tests.mjs FOLDER... (extra node --test flags go after --)
// The failed tests are listed again at the end (see test-reporters.mjs).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { printFailures, reporterFlags } from './test-reporters.mjs';

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
const { flags, failuresFile } = reporterFlags();
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', ...flags, ...extra, ...files],
  { stdio: 'inherit' },
);
printFailures(failuresFile);
process.exit(result.status ?? 1);
