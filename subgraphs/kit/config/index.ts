/**
 * The hub's configuration: every environment variable it reads, declared once (typed, ranged,
 * documented) in a section file and validated here. Code reads settings from
 * `configuration()`, never from `process.env`; entry points validate at start (startup.ts),
 * so a bad value stops the process with one line naming the variable, the value and what is
 * allowed. The README's table is generated from `sections` (`npm run config:docs`).
 *
 * A section is a file exporting a plain object of variables built with the helpers of
 * variable.ts; adding one is a line in `sections` below. A name starting `<NAME>_` stands
 * for one variable per subgraph of the catalogue (`TAX_DATABASE_URL`, …).
 */
import { z } from 'zod';
import { subgraphNames } from '../../layout.js';
import { docOf, type Section, type Variable } from './variable.js';
import { shownUrl } from '../shown-url.js';
import { server } from './server.js';
import { database } from './database.js';
import { auth } from './auth.js';
import { gateway } from './gateway.js';
import { events } from './events.js';
import { workers } from './workers.js';
import { webhooks } from './webhooks.js';
import { subscriptions } from './subscriptions.js';
import { demo } from './demo.js';
import { observability } from './observability.js';
import { tools } from './tools.js';

/** Every section, in the README's order: title → variables. */
export const sections = {
  'Server and HTTP': server,
  Database: database,
  'Authentication and keys': auth,
  'Gateway limits': gateway,
  'Events and NATS': events,
  Workers: workers,
  Webhooks: webhooks,
  Subscriptions: subscriptions,
  'Logs, metrics, traces, health': observability,
  Demo: demo,
  'Command-line tools': tools,
} satisfies Record<string, Section>;

/**
 * Variables the hub does not know but whose prefix is the hub's: most likely a typo, so a
 * start warns about them and names the closest known one.
 */
export const HUB_PREFIXES = ['CREDITHUB_', 'CHANGE_FEED_', 'GRAPHQL_', 'JETSTREAM_', 'JWT_', 'NATS_', 'EVENT_', 'RELAY_', 'DATABASE_', 'SUBGRAPH_', 'SUBSCRIPTION_', 'WEBHOOK_', 'TRANSACTION_', 'EXPIRY_', 'NOTICE_', 'ACCESS_REGISTER_', 'DEMO_', 'TRUSTED_', 'LOG_', 'METRICS_', 'READY_', 'SHUTDOWN_'];

const PER_SUBGRAPH = '<NAME>_';
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type AllVariables = UnionToIntersection<(typeof sections)[keyof typeof sections]>;
type PerSubgraphSuffix = keyof AllVariables extends infer K ? (K extends `<NAME>_${infer Suffix}` ? Suffix : never) : never;

/** The typed settings, keyed by variable name; the per-subgraph ones through `subgraphSetting`. */
export type Configuration = {
  readonly [K in keyof AllVariables as K extends `<NAME>_${string}` ? never : K]: AllVariables[K] extends z.ZodType<infer T, any> ? T : never;
} & { readonly [K in `${string}_${PerSubgraphSuffix}`]?: string };

const subgraphVariable = (subgraph: string, suffix: string) => `${subgraph.toUpperCase()}_${suffix}`;
const perSubgraphSuffixes = Object.values(sections).flatMap((section) => Object.keys(section)).filter((name) => name.startsWith(PER_SUBGRAPH)).map((name) => name.slice(PER_SUBGRAPH.length));
const PER_SUBGRAPH_PATTERN = new RegExp(`^[A-Z0-9]+_(${perSubgraphSuffixes.join('|')})$`);

/** Every variable by name, a `<NAME>_` one named for each subgraph of the catalogue. */
export const variables: Record<string, Variable> = Object.fromEntries(
  Object.values(sections).flatMap((section: Section) => Object.entries(section)).flatMap(([name, variable]) =>
    name.startsWith(PER_SUBGRAPH)
      ? subgraphNames.map((subgraph) => [subgraphVariable(subgraph, name.slice(PER_SUBGRAPH.length)), variable])
      : [[name, variable]],
  ),
);
const schema = z.object(variables);

/** A bad value: `message` is the one line a start prints. */
export class ConfigurationError extends Error {}

const shown = (name: string, raw: unknown) => {
  if (docOf(variables[name]).secret) return `${name}=(${String(raw).length} characters, not shown)`;
  const value = shownUrl(String(raw)); // a URL's credentials never shown
  return `${name}=${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)}`;
};

/** Parses and checks the variables the hub knows; throws ConfigurationError naming every bad one. */
export function parseConfiguration(env: NodeJS.ProcessEnv): Configuration {
  const known = Object.fromEntries(Object.keys(variables).map((name) => [name, env[name]]));
  const result = schema.safeParse(known);
  if (result.success) return result.data as Configuration;
  const names = [...new Set(result.error.issues.map((issue) => String(issue.path[0])))];
  throw new ConfigurationError(`configuration: ${names.map((name) => `${shown(name, env[name])} is not allowed: ${docOf(variables[name]).allowed}`).join('; ')}`);
}

const parsed = new WeakMap<object, { fingerprint: string; configuration: Configuration }>();
let processSettings: Configuration | undefined;

/**
 * The settings of `env` (the process's environment unless a test passes its own). The
 * process's are parsed once and kept: reading them on every request costs a variable read,
 * where checking the environment again would cost tens of microseconds a call. A test that
 * changes `process.env` calls `resetConfiguration()`. Another `env` is parsed again only when
 * a variable the hub knows has changed in it.
 */
export function configuration(env: NodeJS.ProcessEnv = process.env): Configuration {
  if (env === process.env) return (processSettings ??= parseConfiguration(env));
  const fingerprint = Object.keys(variables).map((name) => env[name] ?? '\u0000').join('\u0001');
  const cached = parsed.get(env);
  if (cached?.fingerprint === fingerprint) return cached.configuration;
  const fresh = parseConfiguration(env);
  parsed.set(env, { fingerprint, configuration: fresh });
  return fresh;
}

/** Forgets the process's settings: the next `configuration()` reads `process.env` again (after a test changed it). */
export function resetConfiguration(): void {
  processSettings = undefined;
}

/** A per-subgraph setting: `subgraphSetting('tax', 'DATABASE_URL')` is TAX_DATABASE_URL. */
export function subgraphSetting(subgraph: string, suffix: PerSubgraphSuffix, env?: NodeJS.ProcessEnv): string | undefined {
  return configuration(env)[subgraphVariable(subgraph, suffix) as `${string}_${PerSubgraphSuffix}`];
}

/** Edit distance, for "did you mean" on a misspelt variable. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

/** `TAXX_DATABASE_URL`: a per-subgraph suffix after a misspelt subgraph's name (not another tool's TEST_DATABASE_URL). */
function misspeltSubgraphVariable(name: string): boolean {
  const match = PER_SUBGRAPH_PATTERN.exec(name);
  return Boolean(match) && subgraphNames.some((subgraph) => distance(name.slice(0, -match![1].length - 1), subgraph.toUpperCase()) <= 2);
}

/** One line per variable with the hub's prefix (or a subgraph's name, misspelt) that the hub does not know. */
export function unknownVariableWarnings(env: NodeJS.ProcessEnv): string[] {
  const known = Object.keys(variables);
  return Object.keys(env)
    .filter((name) => !(name in variables) && (HUB_PREFIXES.some((prefix) => name.startsWith(prefix)) || misspeltSubgraphVariable(name)))
    .sort()
    .map((name) => {
      const closest = known.reduce((best, candidate) => (distance(name, candidate) < distance(name, best) ? candidate : best));
      const hint = distance(name, closest) <= Math.max(3, Math.floor(name.length / 4)) ? `did you mean ${closest}?` : 'see the README, "Configuration"';
      return `configuration: ${name} is not a variable CreditHub knows, ignored: ${hint}`;
    });
}
