/**
 * compose.yaml's department blocks, generated from the catalogue (subgraphs/layout.ts) by
 * `npm run compose`: the departments' URLs every process is given, a service per department,
 * and the gateway's wait for them. Between `# generated: <block>` and `# end generated` lines;
 * the rest of the file is written by hand. test/compose.test.ts fails when a block is stale.
 */
import { readFileSync } from 'node:fs';
import { departments } from '../subgraphs/departments.js';
import { defaultPorts } from '../subgraphs/layout.js';

export const COMPOSE_FILE = new URL('../compose.yaml', import.meta.url);

const names = departments.map((department) => department.name);
const urlOf = (name: string) => `http://${name}:${defaultPorts[name]}/graphql`;

const healthcheck = (port: number, indent: string) => [
  `${indent}healthcheck:`,
  `${indent}  test: ["CMD", "node", "-e", "fetch('http://127.0.0.1:${port}/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]`,
  `${indent}  interval: 5s`,
  `${indent}  timeout: 5s`,
  `${indent}  retries: 30`,
];

/** Each block's lines, by block name. */
export function composeBlocks(): Record<string, string[]> {
  return {
    'department-urls': names.map((name) => `  ${name.toUpperCase()}_SUBGRAPH_URL: ${urlOf(name)}`),
    'department-services': names.flatMap((name, index) => [
      ...(index ? [''] : []),
      `  ${name}:`,
      '    <<: *hub',
      `    command: ["node", "dist/scripts/subgraph.js", "${name}"]`,
      '    environment:',
      '      <<: *subgraph-env',
      `      PORT: "${defaultPorts[name]}"`,
      ...healthcheck(defaultPorts[name], '    '),
    ]),
    'gateway-depends-on': names.map((name) => `      ${name}: { condition: service_healthy }`),
  };
}

/** compose.yaml with every generated block as the catalogue gives it now. */
export function generatedComposeFile(text: string = readFileSync(COMPOSE_FILE, 'utf8')): string {
  let result = text;
  for (const [block, lines] of Object.entries(composeBlocks())) {
    const pattern = new RegExp(`^([ \\t]*# generated: ${block}\\b[^\\n]*\\n)[\\s\\S]*?^([ \\t]*# end generated\\n)`, 'm');
    if (!pattern.test(result)) throw new Error(`compose.yaml has no "# generated: ${block}" … "# end generated" block: restore it`);
    result = result.replace(pattern, (_all, open: string, close: string) => `${open}${lines.join('\n')}\n${close}`);
  }
  return result;
}
