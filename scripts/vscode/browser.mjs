// Starts Debian's chromium through playwright-core for the code-server tests. Playwright's own
// browser builds are never downloaded: set CHROMIUM_PATH to use another Chromium binary.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  // Every host name except the loopback ones fails to resolve, so the browser cannot reach
  // another machine even when a page or the workbench requests it.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE *.localhost, EXCLUDE 127.0.0.1',
];

/** Hosts a page may request: loopback, and the virtual host of webview resources. */
function isLocalRequest(url) {
  const { protocol, hostname } = new URL(url);
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(protocol)) {
    return true;
  }
  return (
    hostname === '127.0.0.1' ||
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    // The webview's service worker serves these requests from the extension, so they never
    // reach the network.
    hostname.endsWith('.vscode-resource.vscode-cdn.net')
  );
}

/**
 * Launches chromium headless with a fresh profile under `dir`. The profile allows third-party
 * cookies: VS Code loads each webview in an iframe on another origin, which registers a service
 * worker, and chromium refuses that registration when third-party cookies are blocked. Returns
 * the context, the list of non-loopback requests the pages attempted, and `close()`.
 */
export async function launchChromium(dir) {
  const profile = path.join(dir, 'chromium-profile');
  fs.mkdirSync(path.join(profile, 'Default'), { recursive: true });
  const preferences = {
    profile: {
      cookie_controls_mode: 0,
      block_third_party_cookies: false,
      default_content_setting_values: { cookies: 1 },
    },
  };
  fs.writeFileSync(path.join(profile, 'Default', 'Preferences'), JSON.stringify(preferences));
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}; apt-get install chromium`);
  }
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
    // Chromium writes crash-report and cache folders under the XDG dirs, so keep them in `dir`.
    env: {
      ...process.env,
      XDG_CONFIG_HOME: path.join(dir, 'chromium-config'),
      XDG_CACHE_HOME: path.join(dir, 'chromium-cache'),
    },
  });
  const externalRequests = [];
  context.on('request', (request) => {
    if (!isLocalRequest(request.url())) {
      externalRequests.push(request.url());
    }
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page, externalRequests, close: () => context.close() };
}
