/** The command-line tools a department or partner runs against a hub (npm run import, npm run export). */
import { text, url } from './variable.js';

export const tools = {
  CREDITHUB_URL: url({ schemes: ['http:', 'https:'], defaultText: 'http://localhost:4000/graphql', doc: 'the gateway `npm run import` and `npm run export` talk to (or `--url`)' }),
  CREDITHUB_TOKEN: text({ secret: true, pattern: /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/, allowed: 'a JWT (three base64url parts joined by dots)', doc: 'the token `npm run import` and `npm run export` send (or `--token`)' }),
};

/** Where the tools go when neither `--url` nor CREDITHUB_URL says. */
export const DEFAULT_GATEWAY_URL = 'http://localhost:4000/graphql';
