/**
 * Sends batches of rows to the hub through the gateway, as the officer whose token it is:
 * `Mutation.<department>.recogniseMany`, one result per item. Each item's
 * `externalReference` makes resending safe: the hub answers an item it already holds with
 * the existing entry. Unavailable hubs and dropped connections are retried with backoff.
 */
import { shownUrl } from '../../subgraphs/kit/shown-url.js';

export interface ItemResult {
  entryId?: string;
  error?: { code: string; message: string; field?: string | null };
}

export class SendProblem extends Error {}

export interface Sender {
  send(inputs: Record<string, unknown>[]): Promise<ItemResult[]>;
}

const RETRIES = 6;

export function gatewaySender(options: { url: string; token: string; department: string; fetchTimeoutMs?: number }): Sender {
  const query = `mutation Import($inputs: [RecogniseInput!]!) { ${options.department} { recogniseMany(inputs: $inputs) { entry { id } error { code message field } } } }`;
  const once = async (inputs: Record<string, unknown>[]) => {
    const response = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
      body: JSON.stringify({ query, variables: { inputs } }),
      signal: AbortSignal.timeout(options.fetchTimeoutMs ?? 120_000),
    });
    const body = (await response.json().catch(() => ({}))) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
    return { status: response.status, body };
  };
  return {
    async send(inputs) {
      for (let attempt = 0; ; attempt++) {
        let outcome: Awaited<ReturnType<typeof once>> | undefined;
        let failure = '';
        try {
          outcome = await once(inputs);
        } catch (error) {
          failure = (error as Error).message;
        }
        const results = outcome?.body.data?.[options.department]?.recogniseMany as
          | { entry: { id: string } | null; error: ItemResult['error'] | null }[]
          | undefined;
        if (results) return results.map((r) => (r.entry ? { entryId: r.entry.id } : { error: r.error ?? { code: 'UNKNOWN', message: 'no entry and no error' } }));
        const error = outcome?.body.errors?.[0];
        const retryable = !outcome || outcome.status >= 500 || error?.extensions?.code === 'SERVICE_UNAVAILABLE';
        if (!retryable || attempt >= RETRIES) {
          throw new SendProblem(
            error ? `the hub refused the batch (${error.extensions?.code ?? outcome?.status}): ${error.message}` : `the hub cannot be reached at ${shownUrl(options.url)}: ${failure || `HTTP ${outcome?.status}`}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
      }
    },
  };
}
