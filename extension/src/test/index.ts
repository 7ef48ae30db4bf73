// Entry of the in-host test bundle (extensionTestsPath), built by scripts/vscode/build.mjs with
// mocha left external. VS Code's extension host calls `run()` and treats a rejected promise as a
// failed run.
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 20_000, reporter: 'spec' });
  // LLM_WORKBENCH_TEST_GREP runs only the tests whose full title matches, such as `end to end`.
  const grep = process.env.LLM_WORKBENCH_TEST_GREP;
  if (grep !== undefined && grep !== '') {
    mocha.grep(grep);
  }
  // `pre-require` defines suite() and test() for the test modules. The modules are imported only
  // afterwards, so their top-level suite() calls register with this mocha instance.
  mocha.suite.emit('pre-require', globalThis, 'extension-tests', mocha);
  await import('./workbench.test.js');
  // After the workbench suites, which end signed out; the providers suite signs in again.
  await import('./providers.test.js');
  await import('./chat.test.js');
  await import('./compare.test.js');
  await import('./datasets.test.js');
  await import('./prompts.test.js');
  await import('./training.test.js');
  // Last: one user's whole scenario, which signs out whatever session the suites above left.
  await import('./endToEnd.test.js');

  const { passes, failures } = await new Promise<{ passes: number; failures: number }>(
    (resolve) => {
      const runner = mocha.run((failed) => {
        resolve({ passes: runner.stats?.passes ?? 0, failures: failed });
      });
    },
  );
  // The runner scripts read this line from the host's console output.
  // eslint-disable-next-line no-console
  console.log(`${passes} passed, ${failures} failed`);
  if (failures > 0) {
    throw new Error(`${failures} extension tests failed`);
  }
}
