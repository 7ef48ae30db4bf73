// Starts the loopback stand-ins for OpenAI, Anthropic and Ollama (server/src/testing/
// fakeProviders) for the in-host suite, which adds providers pointing at them. They run in this
// process from the bundle that build.mjs writes.
import { createRequire } from 'node:module';
import { FAKE_PROVIDERS_BUNDLE } from './build.mjs';

/**
 * Starts the fake servers on 127.0.0.1: one of each kind, and a second OpenAI one without
 * gpt-4o. Resolves with the base URL and key of each, as the suite's configuration file takes
 * them, and `close()`, which stops them all.
 */
export async function startFakeProviders() {
  const require = createRequire(import.meta.url);
  const fakes = require(FAKE_PROVIDERS_BUNDLE);
  const servers = {
    openai: await fakes.startFakeOpenAiServer(),
    // The same service after it withdrew gpt-4o: a provider moved here and synced again leaves
    // its gpt-4o configs without their model.
    openaiWithoutGpt4o: await fakes.startFakeOpenAiServer({
      models: fakes.FAKE_OPENAI_MODELS.filter((model) => model.id !== 'gpt-4o'),
    }),
    anthropic: await fakes.startFakeAnthropicServer(),
    ollama: await fakes.startFakeOllamaServer(),
  };
  const endpoints = Object.fromEntries(
    Object.entries(servers).map(([kind, server]) => [
      kind,
      { baseUrl: server.baseUrl, apiKey: server.apiKey },
    ]),
  );
  return {
    endpoints,
    close: () => Promise.all(Object.values(servers).map((server) => server.close())),
  };
}
