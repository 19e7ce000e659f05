/**
 * compose.yaml and the Dockerfile (the production layout in one command) against what they
 * run: a service per subgraph of the catalogue running the compiled `dist/scripts/subgraph.js
 * <name>` on its port, the gateway routing to every subgraph, the consumers reaching every
 * department, the secrets every process must share, NATS with JetStream, healthchecks and
 * start order, only variables the configuration knows — and an image built by the same
 * commands CI runs, whose entry points exist once built. Docker is not needed: the files are
 * read as data (there is no Docker engine in CI).
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultPorts, departments, subgraphs } from '../subgraphs/catalog.js';
import { variables } from '../subgraphs/kit/config/index.js';
import { generatedComposeFile } from '../scripts/compose-file.js';

const root = new URL('..', import.meta.url);
const compose = parse(readFileSync(new URL('compose.yaml', root), 'utf8'), { merge: true });
const packageJson = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const services: Record<string, any> = compose.services;
const hubServices = [...subgraphs.map((s) => s.name), 'gateway'];

const read = (file: string) => readFileSync(new URL(file, root), 'utf8');

/** The Dockerfile's stages: each `FROM` and the instructions under it (continuation lines joined). */
function dockerStages(): { from: string; instructions: string[] }[] {
  const lines = read('Dockerfile').replace(/\\\n\s*/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  const stages: { from: string; instructions: string[] }[] = [];
  for (const line of lines) {
    if (line.startsWith('FROM ')) stages.push({ from: line, instructions: [] });
    else stages.at(-1)!.instructions.push(line);
  }
  return stages;
}

/** The commands .ci/run runs (its non-comment lines that start with npm). */
const ciCommands = () => read('.ci/run').split('\n').map((line) => line.trim()).filter((line) => line.startsWith('npm '));

describe('compose.yaml', () => {
  it('has its department blocks as the catalogue generates them (npm run compose)', () => {
    const text = read('compose.yaml');
    expect(generatedComposeFile(text) === text, 'compose.yaml\'s generated blocks are stale: run npm run compose and commit the result').toBe(true);
  });

  it('runs every subgraph of the catalogue as its own service, with npm run subgraph on its port', () => {
    expect(packageJson.scripts['start:subgraph']).toBe('node dist/scripts/subgraph.js');
    expect(packageJson.scripts['start:gateway']).toBe('node dist/scripts/gateway.js');
    for (const { name } of subgraphs) {
      const service = services[name];
      expect(service, `no service for subgraph ${name}`).toBeDefined();
      expect(service.command).toEqual(['node', 'dist/scripts/subgraph.js', name]);
      expect(service.environment.PORT).toBe(String(defaultPorts[name]));
      expect(service.environment.DATABASE_URL).toMatch(/^mysql:\/\/credithub:\$\{MARIADB_PASSWORD[^}]*\}@mariadb:3306\/credithub$/);
      expect(service.environment.HOST).toBe('0.0.0.0');
    }
    expect(services.gateway.command).toEqual(['node', 'dist/scripts/gateway.js']);
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
      expect(services[name].healthcheck.test.join(' ')).toContain(`http://127.0.0.1:${defaultPorts[name]}/health/ready`);
      expect(services[name].depends_on).toEqual({ mariadb: { condition: 'service_healthy' }, nats: { condition: 'service_healthy' } });
    }
    expect(Object.keys(services.gateway.depends_on).sort()).toEqual(subgraphs.map((s) => s.name).sort());
    expect(Object.values(services.gateway.depends_on).every((d: any) => d.condition === 'service_healthy')).toBe(true);
  });

  it('sets only variables the configuration knows', () => {
    for (const name of [...hubServices, 'seed']) {
      for (const variable of Object.keys(services[name].environment)) {
        expect(variable in variables, `${name} sets ${variable}, which the configuration does not know`).toBe(true);
      }
    }
  });
});

describe('Dockerfile', () => {
  const [build, runtime] = dockerStages();

  it('builds with the commands CI runs, in two stages', () => {
    expect(dockerStages()).toHaveLength(2);
    const buildRuns = build.instructions.filter((i) => i.startsWith('RUN ')).map((i) => i.slice('RUN '.length));
    // CI's install and build, in CI's order: what CI tests is what the image holds.
    expect(buildRuns).toEqual(ciCommands().filter((command) => command.startsWith('npm ci') || command === 'npm run build'));
    expect(buildRuns).toContain('npm run build');
    expect(packageJson.scripts.build).toBe('node scripts/build.mjs');
  });

  it('runs compiled code as a non-root user with production dependencies only', () => {
    expect(runtime.instructions).toContain('COPY --from=build /app/dist ./dist');
    expect(runtime.instructions.some((i) => /^RUN npm ci --omit=dev\b/.test(i))).toBe(true);
    expect(runtime.instructions).toContain('USER node');
    expect(runtime.instructions.find((i) => i.startsWith('CMD '))).toBe('CMD ["node", "dist/scripts/gateway.js"]');
    expect(runtime.instructions.find((i) => i.startsWith('HEALTHCHECK '))).toContain('/health/ready');
    // Nothing production runs needs a development dependency.
    expect(packageJson.dependencies.tsx).toBeUndefined();
    expect(packageJson.dependencies.typescript).toBeUndefined();
  });

  it('has, once built (test/build.setup.ts ran npm run build), every entry point compose.yaml and the image run', () => {
    const entryPoints = new Set(['dist/scripts/gateway.js']);
    for (const service of Object.values(services)) {
      if (service.command?.[0] === 'node') entryPoints.add(service.command[1]);
    }
    expect(entryPoints.size).toBeGreaterThanOrEqual(3);
    for (const file of entryPoints) expect(existsSync(new URL(file, root)), `${file} is missing after npm run build`).toBe(true);
    // And what the compiled code reads at run time beside it.
    for (const file of ['dist/schema/supergraph.graphql', 'dist/gateway/dashboard/index.html']) expect(existsSync(new URL(file, root)), file).toBe(true);
  });
});
