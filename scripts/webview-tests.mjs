// Runs the webview suites (webviews/src/**/*.browser.test.ts) in headless chromium. Each suite
// builds its bundle from source, so no build step comes first. Needs Debian's chromium, or
// CHROMIUM_PATH naming another Chromium binary.
// Usage: node scripts/webview-tests.mjs [FILE...]; npm test also runs the admin page suite with it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { printFailures, reporterFlags } from './test-reporters.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Lists the browser suites under a folder. */
function findSuites(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return findSuites(full);
    }
    return entry.name.endsWith('.browser.test.ts') ? [full] : [];
  });
}

const named = process.argv.slice(2);
const files = named.length > 0 ? named : findSuites(path.join(ROOT, 'webviews/src')).sort();
if (files.length === 0) {
  console.error('No *.browser.test.ts files under webviews/src');
  process.exit(1);
}
const { flags, failuresFile } = reporterFlags();
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...flags, ...files], {
  cwd: ROOT,
  stdio: 'inherit',
});
printFailures(failuresFile);
process.exit(result.status ?? 1);
