import { performance } from 'node:perf_hooks';
import type { ProviderTestResult } from '../../../shared/src/api/modelConfigs.js';
import type { AppServices } from '../context.js';
import type { Provider } from '../models/index.js';
import { createProviderClient, ProviderError } from './clients/index.js';
import { providerConnection } from './connection.js';
import { recordProviderCheck } from './providerStore.js';

/**
 * Checks that the provider responds and accepts its key by listing its models, and measures how
 * long that takes. A failed call is part of the result, not an exception: `error` carries the
 * client's code and message with the provider's own text. Either way the outcome is stored as
 * the provider's status. The whole call is limited to `config.providerTestTimeoutMs`.
 */
export async function testProviderConnection(
  services: AppServices,
  provider: Provider,
): Promise<ProviderTestResult> {
  const timeoutMs = services.config.providerTestTimeoutMs;
  const client = createProviderClient(providerConnection(services, provider), {
    requestMs: timeoutMs,
    idleMs: timeoutMs,
  });
  // The client's limits apply to each HTTP request, and listing may take several (pages, or one
  // request per model for Ollama), so this timer bounds the whole call.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const started = performance.now();
  try {
    const models = await client.listModels(controller.signal);
    const latencyMs = Math.round(performance.now() - started);
    await recordProviderCheck(provider, { ok: true });
    return { ok: true, latencyMs, modelCount: models.length };
  } catch (caught) {
    const latencyMs = Math.round(performance.now() - started);
    if (!(caught instanceof ProviderError)) {
      throw caught;
    }
    const error =
      timedOut && caught.code === 'aborted'
        ? new ProviderError(
            'timeout',
            `Provider ${provider.name} at ${provider.baseUrl} did not finish listing its models within ${timeoutMs} ms; check that the server is reachable and not overloaded, or try again.`,
          )
        : caught;
    await recordProviderCheck(provider, { ok: false, message: error.message });
    return { ok: false, latencyMs, modelCount: null, error: testError(error) };
  } finally {
    clearTimeout(timer);
  }
}

function testError(error: ProviderError): NonNullable<ProviderTestResult['error']> {
  const { providerMessage, status } = error.details;
  return {
    code: error.code,
    message: error.message,
    ...(providerMessage === undefined ? {} : { providerMessage }),
    ...(status === undefined ? {} : { status }),
  };
}
