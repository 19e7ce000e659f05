/**
 * compose.yaml (the production layout in one command) against what it runs: a service per
 * subgraph of the catalogue running `npm run subgraph -- <name>` on its port, the gateway
 * routing to every subgraph, the consumers reaching every department, the secrets every
 * process must share, NATS with JetStream, healthchecks and start order — and only
 * variables the code reads. Docker is not needed: the file is read as data.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultPorts, departments, subgraphs } from '../subgraphs/catalog.js';

const root = new URL('..', import.meta.url);
const compose = parse(readFileSync(new URL('compose.yaml', root), 'utf8'), { merge: true });
const packageJson = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const services: Record<string, any> = compose.services;
const hubServices = [...subgraphs.map((s) => s.name), 'gateway'];

/** Every environment variable the code reads, literally or as `<NAME>_…` patterns. */
function variablesTheCodeReads(): Set<string> {
  const sources = ['subgraphs', 'gateway', 'scripts'].flatMap((dir) =>
    readdirSync(new URL(dir, root), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => `${dir}/${f}`));
  const names = new Set<string>();
  for (const file of sources) {
    const text = readFileSync(new URL(file, root), 'utf8');
    for (const match of text.matchAll(/\benv(?:\.|\[')([A-Z][A-Z0-9_]+)/g)) names.add(match[1]);
  }
  return names;
}

describe('compose.yaml', () => {
  it('runs every subgraph of the catalogue as its own service, with npm run subgraph on its port', () => {
    expect(packageJson.scripts.subgraph).toBe('tsx scripts/subgraph.ts');
    expect(packageJson.scripts.gateway).toBe('tsx scripts/gateway.ts');
    for (const { name } of subgraphs) {
      const service = services[name];
      expect(service, `no service for subgraph ${name}`).toBeDefined();
      expect(service.command).toEqual(['npm', 'run', 'subgraph', '--', name]);
      expect(service.environment.PORT).toBe(String(defaultPorts[name]));
      expect(service.environment.DATABASE_URL).toMatch(/^mysql:\/\/credithub:\$\{MARIADB_PASSWORD[^}]*\}@mariadb:3306\/credithub$/);
      expect(service.environment.HOST).toBe('0.0.0.0');
    }
    expect(services.gateway.command).toEqual(['npm', 'run', 'gateway']);
    expect(services.gateway.environment.PORT).toBe('4000');
    expect(services.gateway.ports).toEqual(['4000:4000']);
  });

  it('routes the gateway to every subgraph and lets every consumer reach every department', () => {
    const urlOf = (name: string) => `http://${name}:${defaultPorts[name]}/graphql`;
    for (const { name } of subgraphs) expect(services.gateway.environment[`${name.toUpperCase()}_SUBGRAPH_URL`]).toBe(urlOf(name));
    for (const { name } of subgraphs) {
      for (const department of departments) expect(services[name].environment[`${department.name.toUpperCase()}_SUBGRAPH_URL`]).toBe(urlOf(department.name));
    }
  });

  it('gives every process the same internal secret, the platform the receipt and register keys and the gateway the token keys, all required', () => {
    const secrets = new Set(hubServices.map((name) => services[name].environment.CREDITHUB_INTERNAL_SECRET));
    expect(secrets.size).toBe(1);
    expect([...secrets][0]).toMatch(/^\$\{CREDITHUB_INTERNAL_SECRET:\?/);
    expect(services.platform.environment.CREDITHUB_RECEIPT_KEY).toMatch(/^\$\{CREDITHUB_RECEIPT_KEY:\?/);
    expect(services.platform.environment.CREDITHUB_REGISTER_KEY).toMatch(/^\$\{CREDITHUB_REGISTER_KEY:\?/);
    expect(services.platform.environment.CREDITHUB_REGISTER_SIGNING_KEY).toMatch(/^\$\{CREDITHUB_REGISTER_SIGNING_KEY:\?/);
    expect(services.gateway.environment.JWT_JWKS_URL).toMatch(/^\$\{JWT_JWKS_URL:\?/);
    for (const name of hubServices) {
      expect(services[name].environment.NODE_ENV).toBe('production');
      // No development secret in production: nothing generated per host.
      expect(services[name].environment.CREDITHUB_JWT_SECRET).toBeUndefined();
    }
  });

  it('runs NATS with JetStream and points every process at it', () => {
    expect(services.nats.command).toContain('--jetstream');
    for (const name of hubServices) expect(services[name].environment.NATS_URL).toBe('nats://nats:4222');
  });

  it('checks every service\'s health and starts each after what it needs is healthy', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.profiles) continue;
      expect(service.healthcheck?.test, `${name} has no healthcheck`).toBeDefined();
    }
    for (const { name } of subgraphs) {
      expect(services[name].healthcheck.test.join(' ')).toContain(`http://127.0.0.1:${defaultPorts[name]}/health`);
      expect(services[name].depends_on).toEqual({ mariadb: { condition: 'service_healthy' }, nats: { condition: 'service_healthy' } });
    }
    expect(Object.keys(services.gateway.depends_on).sort()).toEqual(subgraphs.map((s) => s.name).sort());
    expect(Object.values(services.gateway.depends_on).every((d: any) => d.condition === 'service_healthy')).toBe(true);
  });

  it('sets only variables the code reads', () => {
    const read = variablesTheCodeReads();
    for (const name of [...hubServices, 'seed']) {
      for (const variable of Object.keys(services[name].environment)) {
        const known = read.has(variable) || /^[A-Z]+_SUBGRAPH_URL$/.test(variable) || variable === 'NODE_ENV';
        expect(known, `${name} sets ${variable}, which no code reads`).toBe(true);
      }
    }
  });
});
