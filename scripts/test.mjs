// `npm test`: lint, type-check, build, then every test suite. The MariaDB suite runs when
// mariadbd is installed, and is required when REQUIRE_MARIADB=1 (CI sets it). The webview suites
// in headless chromium and the extension suites in VS Code (npm run test:vscode) run last, when
// chromium is installed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const steps = [
  ['lint', 'npx', ['eslint', '.', '--max-warnings=0']],
  ['format', 'npx', ['prettier', '--check', '.']],
  ['typecheck', 'npm', ['run', '--silent', 'typecheck']],
  ['build', 'node', ['esbuild.config.mjs']],
  ['tests on SQLite', 'node', ['scripts/run-tests.mjs', 'shared', 'server']],
];

const hasMariadb = spawnSync('sh', ['-c', 'command -v mariadbd'], { stdio: 'ignore' }).status === 0;
if (hasMariadb) {
  steps.push([
    'tests on MariaDB',
    'bash',
    ['scripts/with-mariadb.sh', 'node', 'scripts/run-tests.mjs', 'server'],
  ]);
} else if (process.env.REQUIRE_MARIADB === '1') {
  console.error('REQUIRE_MARIADB=1 but mariadbd is not installed; apt-get install mariadb-server');
  process.exit(1);
} else {
  console.warn(
    'Skipping the MariaDB suite: mariadbd is not installed (apt-get install mariadb-server).',
  );
}

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (fs.existsSync(chromium)) {
  steps.push(['webview tests in chromium', 'npm', ['run', '--silent', 'test:webviews']]);
  steps.push([
    'admin page in chromium',
    'node',
    ['scripts/webview-tests.mjs', 'scripts/admin-browser-tests.mjs'],
  ]);
  steps.push(['extension tests in VS Code', 'npm', ['run', '--silent', 'test:vscode']]);
} else {
  console.warn(
    `Skipping the webview and VS Code tests: no chromium at ${chromium} (apt-get install chromium).`,
  );
}

// Each node:test step lists its failed tests in its own file. The lists are repeated at the end,
// because a shortened CI log shows only its last lines.
const failuresDir = path.join('test-results', 'failures');
fs.rmSync(failuresDir, { recursive: true, force: true });
fs.mkdirSync(failuresDir, { recursive: true });
const failuresFile = (name) => path.join(failuresDir, `${name.replaceAll(/\W+/g, '-')}.txt`);

const failed = [];
for (const [name, command, args] of steps) {
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, TEST_FAILURES_FILE: path.resolve(failuresFile(name)) },
  });
  if (result.status !== 0) {
    failed.push(name);
    if (name === 'build' || name === 'typecheck') {
      break;
    }
  }
}
if (failed.length > 0) {
  for (const name of failed) {
    const file = failuresFile(name);
    const listed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
    console.error(`\n--- ${name}${listed ? `\n${listed}` : ': see its output above'}`);
  }
  console.error(`\nnpm test failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log('\nnpm test passed: every step succeeded.');
