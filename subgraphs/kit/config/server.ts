/** Where a process listens and keeps its files, and whether it runs as production. */
import { integer, oneOf, text } from './variable.js';

export const server = {
  NODE_ENV: oneOf(['development', 'production', 'test'], {
    default: 'development',
    doc: '`production`: introspection and suggestions off, no explorer; the gateway and subgraphs refuse to start without the production keys (JWKS or public key, `JWT_ISSUER`, `CREDITHUB_INTERNAL_SECRET`, and for the platform `CREDITHUB_RECEIPT_KEY`, `CREDITHUB_REGISTER_KEY`, `CREDITHUB_REGISTER_SIGNING_KEY`), naming what is missing',
  }),
  PORT: integer({ min: 0, max: 65535, doc: 'where a process listens (0: any free port)', defaultText: '4000 (gateway, `npm start`); a subgraph its port of the embedded layout (platform 4001, then each department of the catalogue in order)' }),
  HOST: text({ doc: 'the address a process listens on', allowed: 'a host name or IP address', pattern: /^[A-Za-z0-9.:_-]+$/, defaultText: '127.0.0.1 (`npm start`), 0.0.0.0 (the gateway and subgraph processes)' }),
  DATA_DIR: text({ default: 'data', defaultText: '`./data`', allowed: 'a directory path', doc: 'SQLite files and generated development secrets' }),
  MAX_BODY_BYTES: integer({ min: 1024, max: 64 * 1024 * 1024, default: 2 * 1024 * 1024, defaultText: '2097152 (2 MiB)', unit: 'bytes', doc: 'largest request body the gateway accepts' }),
};
