/**
 * The peer gateway of `npm run bench`: @graphql-hive/gateway's runtime (createGatewayRuntime)
 * on the checked-in supergraph, its transport pointed at the hub's running subgraphs, served
 * over node:http on a free port. Subgraphs accept only a forwarded identity signed by the
 * hub's gateway; the peer sends a pre-signed one for the benchmark's principal as a static
 * header. Such a token lives 60 s, so it is re-signed every 20 s and the header is read from
 * an environment variable, which the peer's transport interpolates on every subgraph call.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { INTERNAL_TOKEN_HEADER, signInternalToken } from '../../subgraphs/kit/auth/internal-token.js';
import { internalTokenSecret } from '../../subgraphs/kit/auth/secrets.js';
import type { Principal, Purpose } from '../../subgraphs/kit/auth/principal.js';

const TOKEN_VARIABLE = 'CREDITHUB_BENCH_PEER_TOKEN';

export interface PeerGateway {
  url: string;
  /** Which identity the peer forwards from now on: with the stated purpose, or without. */
  forward(mode: 'purpose' | 'none'): void;
  stop(): Promise<void>;
}

export async function startPeerGateway(options: {
  supergraph: string;
  subgraphUrls: Record<string, string>;
  principal: Principal;
  purpose: Purpose;
}): Promise<PeerGateway> {
  const secret = internalTokenSecret();
  let mode: 'purpose' | 'none' = 'purpose';
  const tokens = { purpose: '', none: '' };
  const sign = async () => {
    tokens.purpose = await signInternalToken({ principal: options.principal, purpose: options.purpose, requestId: 'bench-peer' }, secret);
    tokens.none = await signInternalToken({ principal: options.principal, purpose: null, requestId: 'bench-peer' }, secret);
    process.env[TOKEN_VARIABLE] = tokens[mode];
  };
  await sign();
  const refresh = setInterval(() => void sign(), 20_000);
  refresh.unref();

  // Loaded only now, so the hub's memory before the peer starts does not include it.
  const { createGatewayRuntime } = await import('@graphql-hive/gateway');
  const runtime = createGatewayRuntime({
    supergraph: options.supergraph,
    logging: false,
    transportEntries: Object.fromEntries(
      Object.entries(options.subgraphUrls).map(([name, url]) => [
        name,
        { location: url, headers: [[INTERNAL_TOKEN_HEADER, `{env.${TOKEN_VARIABLE}}`]] as [string, string][] },
      ]),
    ),
  });
  const server = http.createServer(runtime);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    forward(next) {
      mode = next;
      process.env[TOKEN_VARIABLE] = tokens[mode];
    },
    async stop() {
      clearInterval(refresh);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await runtime.dispose();
      delete process.env[TOKEN_VARIABLE];
    },
  };
}
