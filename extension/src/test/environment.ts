import fs from 'node:fs';
import net from 'node:net';
import * as vscode from 'vscode';
import type { WorkbenchApi } from '../extension.js';

export const EXTENSION_ID = 'llm-workbench.llm-workbench';

/** What the test runner passes in the JSON file named by LLM_WORKBENCH_TEST_CONFIG. */
export interface TestConfig {
  /** A running LLM Workbench server that the runner started for these tests. */
  serverUrl: string;
  /** The server's stdout: pino JSON lines, one per request. */
  serverLog: string;
  login: string;
  password: string;
  nickname: string;
  /** Loopback stand-ins for the providers, which the Providers view tests connect to. */
  providers: Record<FakeProviderName, { baseUrl: string; apiKey: string }>;
}

/**
 * The fake provider servers the runner starts: OpenAI, the same OpenAI service without gpt-4o,
 * Anthropic and Ollama.
 */
export type FakeProviderName = 'openai' | 'openaiWithoutGpt4o' | 'anthropic' | 'ollama';

/** Reads the runner's configuration, and throws an error naming the variable when it is unset. */
export function readTestConfig(): TestConfig {
  const file = process.env.LLM_WORKBENCH_TEST_CONFIG;
  if (file === undefined || file === '') {
    throw new Error(
      'LLM_WORKBENCH_TEST_CONFIG is not set. Run these tests with npm run test:vscode, which ' +
        'starts a server and writes the configuration file',
    );
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as TestConfig;
}

/** Activates the extension and returns its test API. */
export async function activateExtension(): Promise<WorkbenchApi> {
  const extension = vscode.extensions.getExtension<WorkbenchApi | undefined>(EXTENSION_ID);
  if (extension === undefined) {
    throw new Error(`Extension ${EXTENSION_ID} is not loaded in this extension host`);
  }
  const api = await extension.activate();
  if (api === undefined) {
    throw new Error('The extension returned no API because it runs in production mode');
  }
  return api;
}

/** Polls `probe` every 50 ms until it returns a value other than undefined or false. */
export async function waitFor<T>(
  description: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Counts the server's request log lines for each path. */
export function countRequestsByPath(serverLog: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of fs.readFileSync(serverLog, 'utf8').split('\n')) {
    if (!line.startsWith('{')) {
      continue;
    }
    const entry = JSON.parse(line) as { msg?: string; path?: string };
    if (entry.msg === 'request' && entry.path !== undefined) {
      counts.set(entry.path, (counts.get(entry.path) ?? 0) + 1);
    }
  }
  return counts;
}

/** Returns a loopback port with no listener, for requests that must be refused. */
export async function closedLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
