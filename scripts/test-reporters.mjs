// The node:test reporter flags every test script uses: the spec reporter on stdout, and the failed
// tests in a file that is printed again at the end. `npm test` sets TEST_FAILURES_FILE for each
// step, so it can repeat the lists after its last step.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Returns the reporter flags and the file that will list the failed tests. */
export function reporterFlags() {
  const failuresFile =
    process.env.TEST_FAILURES_FILE ??
    path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'llm-workbench-tests-')), 'failures.txt');
  fs.rmSync(failuresFile, { force: true });
  const reporter = new URL('./failure-summary-reporter.mjs', import.meta.url).href;
  const flags = [
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${reporter}`,
    `--test-reporter-destination=${failuresFile}`,
  ];
  return { flags, failuresFile };
}

/** Prints the failed tests listed in `failuresFile`, if any. */
export function printFailures(failuresFile) {
  if (fs.existsSync(failuresFile) && fs.statSync(failuresFile).size > 0) {
    console.log(`\n${fs.readFileSync(failuresFile, 'utf8')}`);
  }
}
