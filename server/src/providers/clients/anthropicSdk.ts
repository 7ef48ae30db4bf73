// Creates the Anthropic SDK client for one provider connection.
import Anthropic from '@anthropic-ai/sdk';
import { guardedProviderFetch } from './providerFetch.js';
import type { ClientTimeouts, ProviderConnection } from './types.js';

/**
 * The SDK client without its default credential chain: with no key it would otherwise read
 * profiles and environment variables of the server process for credentials.
 */
class ConnectionOnlyAnthropic extends Anthropic {
  protected override _shouldResolveDefaultCredentials(): boolean {
    return false;
  }
}

/**
 * Creates the SDK client for one connection. `streaming` picks the guarded fetch for streamed
 * calls, which leaves the length of a successful body to the idle limit.
 */
export function createSdk(
  connection: ProviderConnection,
  timeouts: ClientTimeouts,
  streaming: boolean,
): Anthropic {
  // The SDK appends `/v1/messages` to the bare origin the base URL normaliser stores.
  return new ConnectionOnlyAnthropic({
    baseURL: connection.baseUrl,
    apiKey: connection.apiKey,
    authToken: null,
    webhookKey: null,
    // Without a key, a `null` Authorization header makes the SDK send no credentials at all.
    defaultHeaders: {
      ...connection.headers,
      ...(connection.apiKey === null ? { authorization: null } : {}),
    },
    maxRetries: 0,
    timeout: timeouts.requestMs,
    logLevel: 'off',
    fetch: guardedProviderFetch({
      privateNetworks: connection.privateNetworks ?? 'allowed',
      streaming,
    }),
  });
}
