// Runs the in-host mocha suite (extension/src/test, bundled) in code-server's Node extension
// host. The page is opened with extensionTestsPath in its payload, so the workbench loads the
// suite, forwards the host's console output to window.codeAutomationLog and reports the result of
// run() to window.codeAutomationExit.
import { clearTimeout, setTimeout } from 'node:timers';
import { format } from 'node:util';
import { launchChromium } from './browser.mjs';
import { startCodeServer } from './code-server.mjs';

/** Workbench log lines that come from the offline setup, not from the extension or its tests. */
const NOISE =
  /ENOPRO|CodeExpectedError|Ignoring fetching|Unable to read file|AgentHost|AccountPolicyGate|^\s+at |^Canceled$|gallery|ECONNREFUSED|socket|connection token|grace-time|Service Worker|builtin extensions cache/;

/**
 * Returns the codeAutomationLog handler, which prints the host's console output, without the
 * workbench's offline noise unless `verbose`, and records the suite's `N passed, N failed` line
 * in `counts`.
 */
function logForwarder(counts, verbose) {
  return (type, args) => {
    // The arguments are those passed to console.log, format string included (mocha's reporter
    // passes '%s' patterns).
    const text = format(...args);
    const summary = /^(\d+) passed, (\d+) failed$/.exec(text.trim());
    if (summary !== null) {
      counts.passed = Number(summary[1]);
      counts.failed = Number(summary[2]);
      counts.reported = true;
      // vscode-tests.mjs prints the one `N passed, N failed` line of the whole run.
      return;
    }
    const quiet = text.split('\n').every((line) => line.trim() === '' || NOISE.test(line));
    if (verbose || !quiet) {
      (type === 'error' || type === 'warn' ? console.error : console.log)(text);
    }
  };
}

/** Opens `url` and resolves with the exit code the workbench reports, or 124 after `timeoutMs`. */
function runInPage(page, url, onLog, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      console.error(`The in-host tests did not finish within ${timeoutMs / 1000} s`);
      resolve(124);
    }, timeoutMs);
    const onExit = (code) => {
      clearTimeout(timer);
      resolve(code);
    };
    page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
    Promise.all([
      page.exposeFunction('codeAutomationLog', onLog),
      page.exposeFunction('codeAutomationExit', onExit),
    ])
      .then(() => page.goto(url))
      .catch((error) => {
        clearTimeout(timer);
        reject(error);
      });
  });
}

/**
 * Starts code-server in `dir`, runs the suite and stops code-server and the browser. Resolves with
 * the counts from the suite's `N passed, N failed` line and the exit code of the run. A run that
 * printed no such line, and one where the browser attempted a non-loopback request, each add
 * one failure.
 */
export async function runHostTests(options) {
  const { dir, root, testsBundle, workspace, settings, env, timeoutMs, verbose } = options;
  const codeServer = await startCodeServer({ dir, folder: workspace, settings, env });
  let browser;
  try {
    browser = await launchChromium(dir);
    const counts = { passed: 0, failed: 0, reported: false };
    const url = codeServer.url({ extensionDevelopmentPath: root, extensionTestsPath: testsBundle });
    const exitCode = await runInPage(browser.page, url, logForwarder(counts, verbose), timeoutMs);
    let failed = counts.reported ? counts.failed : Math.max(counts.failed, 1);
    if (browser.externalRequests.length > 0) {
      failed += 1;
      console.error(
        `The browser attempted non-loopback requests:\n${browser.externalRequests.join('\n')}`,
      );
    }
    return { passed: counts.passed, failed, exitCode };
  } finally {
    await browser?.close();
    await codeServer.stop();
  }
}
