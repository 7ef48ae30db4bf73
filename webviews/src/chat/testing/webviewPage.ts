/// <reference types="node" />
/* eslint-disable no-restricted-imports -- this module runs in Node: it builds a webview bundle,
   serves it on loopback and drives Debian's chromium through playwright-core. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium; set CHROMIUM_PATH to use another build. Playwright's own is never fetched. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ROOT = path.resolve(__dirname, '../../../..');

// Every host name but loopback fails to resolve, so a page cannot reach another machine.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-dev-shm-usage',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
];

/** Builds one webview entry point, such as `webviews/src/chat/main.ts`, as VS Code would load it. */
export async function buildWebview(entry: string): Promise<string> {
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (output === undefined) {
    throw new Error(`esbuild wrote no output for ${entry}`);
  }
  return output.text;
}

/**
 * Builds the page VS Code would give the webview, with the panel host's CSP made stricter: no inline
 * style or script without the nonce, even through attributes. `acquireVsCodeApi` is a stub that
 * records what the webview posts in `window.posted` and keeps `setState` in `window.savedState`.
 */
function pageHtml(rootElement: string, nonce: string): string {
  const csp = [
    "default-src 'none'",
    'img-src data:',
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta http-equiv="Content-Security-Policy" content="${csp}" />
    <!-- FAST, under the webview toolkit, probes :focus-visible with a <style> that takes this nonce. -->
    <meta property="csp-nonce" content="${nonce}" />
    <style nonce="${nonce}">
      html { --vscode-font-family: sans-serif; --vscode-font-size: 13px;
        --vscode-foreground: #cccccc; --vscode-editor-font-family: monospace; }
      body { margin: 0; background: #1e1e1e; }
    </style>
    <script nonce="${nonce}">
      window.posted = [];
      window.violations = [];
      window.savedState = JSON.parse(new URLSearchParams(location.search).get('state') ?? 'null') ?? undefined;
      document.addEventListener('securitypolicyviolation', (event) => {
        window.violations.push(event.violatedDirective + ' ' + event.blockedURI + ' ' + event.sourceFile + ':' + event.lineNumber + ':' + event.columnNumber);
      });
      let acquired = false;
      window.acquireVsCodeApi = () => {
        if (acquired) throw new Error('acquireVsCodeApi may be called only once');
        acquired = true;
        return {
          postMessage: (message) => window.posted.push(structuredClone(message)),
          getState: () => window.savedState,
          setState: (state) => { window.savedState = structuredClone(state); },
        };
      };
    </script>
  </head>
  <body>
    <${rootElement}></${rootElement}>
    <script type="module" nonce="${nonce}" src="/main.js"></script>
  </body>
</html>`;
}

/** A loopback server of one webview page and its bundle, with chromium to open it. */
export interface WebviewHarness {
  browser: Browser;
  /** Uncaught errors of every page opened, which a passing test leaves empty. */
  pageErrors: string[];
  /** Opens a fresh page; `state` is what `getState` returns, as after a reload. */
  open(state?: unknown): Promise<Page>;
  close(): Promise<void>;
}

/** Builds `entry`, serves it on 127.0.0.1 and launches chromium headless. */
export async function startWebviewHarness(
  entry: string,
  rootElement: string,
): Promise<WebviewHarness> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}; apt-get install chromium`);
  }
  const script = await buildWebview(entry);
  const nonce = randomBytes(18).toString('base64');
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/main.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      response.end(script);
    } else if (url.pathname === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(pageHtml(rootElement, nonce));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const pageErrors: string[] = [];
  return {
    browser,
    pageErrors,
    async open(state?: unknown) {
      const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
      page.on('pageerror', (error) => pageErrors.push(error.stack ?? error.message));
      // tsx compiles with esbuild's keepNames, which wraps named functions in a `__name` helper
      // call. Functions sent to page.evaluate carry that call into the page, so it needs one.
      await page.addInitScript('globalThis.__name = (target) => target;');
      const query =
        state === undefined ? '' : `?state=${encodeURIComponent(JSON.stringify(state))}`;
      await page.goto(`http://127.0.0.1:${port}/${query}`);
      return page;
    },
    async close() {
      await browser.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
