/**
 * npm run export -- --department courts [--format csv|xlsx] --out FILE [--list-type BLACK] [--status ACTIVE] [--region 4403]
 *
 * Downloads a department's lists from the gateway's export endpoint
 * (GET /export/<department>.<format>) as the caller whose token is in CREDITHUB_TOKEN (or
 * --token; none: the public view), streamed to FILE. With --purpose and --reference, a role
 * that may read personal data gets it unmasked, and each read is registered.
 */
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { configuration } from '../../subgraphs/kit/config/index.js';
import { DEFAULT_GATEWAY_URL } from '../../subgraphs/kit/config/tools.js';
import { parseArgs } from 'node:util';
import { departments } from '../../subgraphs/catalog.js';
import { runMain } from '../cli.js';

export const USAGE = `Usage: npm run export -- --department NAME --out FILE [options]

  --department NAME   ${departments.map((d) => d.name).join(' | ')} (required)
  --out FILE          where to write (required); written to FILE.part, renamed when complete
  --format FMT        csv (default) | xlsx
  --list-type TYPE    RED | BLACK | KEY_ATTENTION (repeatable)
  --status STATUS     PRELIMINARY | PUBLICITY | ACTIVE | EXITED (repeatable)
  --region CODE       administrative division code or prefix
  --token JWT         default CREDITHUB_TOKEN; none: what the public sees
  --purpose TEXT      why personal data is read (with --reference)
  --reference TEXT    the matter it serves, e.g. an approval case number
  --url URL           the gateway (default CREDITHUB_URL or http://localhost:4000/graphql)`;

export function exportUrl(gateway: string, department: string, format: string, filter: { listTypes?: string[]; statuses?: string[]; region?: string }): string {
  const url = new URL(`/export/${department}.${format}`, gateway);
  for (const type of filter.listTypes ?? []) url.searchParams.append('listType', type);
  for (const status of filter.statuses ?? []) url.searchParams.append('status', status);
  if (filter.region) url.searchParams.set('regionCode', filter.region);
  return url.toString();
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      department: { type: 'string' },
      out: { type: 'string' },
      format: { type: 'string', default: 'csv' },
      'list-type': { type: 'string', multiple: true },
      status: { type: 'string', multiple: true },
      region: { type: 'string' },
      token: { type: 'string' },
      purpose: { type: 'string' },
      reference: { type: 'string' },
      url: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return console.log(USAGE), 0;
  const fail = (message: string) => (console.error(`Cannot export: ${message}\n\n${USAGE}`), 2);
  if (!departments.some((d) => d.name === values.department)) return fail(`--department must be one of ${departments.map((d) => d.name).join(', ')}`);
  if (!values.out) return fail('--out is required');
  if (!['csv', 'xlsx'].includes(values.format!)) return fail('--format is csv or xlsx');
  if (Boolean(values.purpose) !== Boolean(values.reference)) return fail('give --purpose and --reference together');

  const headers: Record<string, string> = {};
  const token = values.token ?? configuration().CREDITHUB_TOKEN;
  if (token) headers.authorization = `Bearer ${token}`;
  if (values.purpose) {
    headers['x-credithub-purpose'] = encodeURIComponent(values.purpose);
    headers['x-credithub-reference'] = encodeURIComponent(values.reference!);
  }
  const url = exportUrl(values.url ?? configuration().CREDITHUB_URL ?? DEFAULT_GATEWAY_URL, values.department!, values.format!, {
    listTypes: values['list-type'],
    statuses: values.status,
    region: values.region,
  });
  const response = await fetch(url, { headers });
  if (!response.ok || !response.body) {
    const body = (await response.json().catch(() => null)) as { errors?: { message: string; extensions?: { code?: string } }[] } | null;
    const error = body?.errors?.[0];
    console.error(`Cannot export: the hub answered HTTP ${response.status}${error ? ` ${error.extensions?.code}: ${error.message}` : ''}`);
    return 2;
  }
  const masked = response.headers.get('x-credithub-personal-data');
  const partial = `${values.out}.part`;
  try {
    await pipeline(Readable.fromWeb(response.body as any), createWriteStream(partial, { mode: 0o600 }));
  } catch (error) {
    rmSync(partial, { force: true });
    console.error(`The export was interrupted (${(error as Error).message}): nothing was kept, run it again`);
    return 2;
  }
  renameSync(partial, values.out);
  console.log(`${values.out} written${masked ? ` (personal data ${masked})` : ''}`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) runMain('export', main, 2);
