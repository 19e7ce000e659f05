/**
 * npm run export -- --department courts [--format csv|xlsx] --out FILE [--list-type BLACK] [--status ACTIVE] [--region 4403]
 * npm run export -- --platform consolidated|warning-list --out FILE [--list-type BLACK] [--region 44] [--domain TAX] [--min-domains 2]
 *
 * Downloads a department's lists (GET /export/<department>.<format>) or the platform's
 * (GET /export/platform/<list>.<format>) from the gateway as the caller whose token is in CREDITHUB_TOKEN (or
 * --token; none: the public view), streamed to FILE. With --purpose and --reference, a role
 * that may read personal data gets it unmasked, and each read is registered.
 */
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { configuration } from '../../subgraphs/kit/config/index.js';
import { DEFAULT_GATEWAY_URL } from '../../subgraphs/kit/config/tools.js';
import { parseArgs } from 'node:util';
import { departments } from '../../subgraphs/departments.js';
import { runMain } from '../cli.js';

const PLATFORM_LISTS = ['consolidated', 'warning-list'];

export const USAGE = `Usage: npm run export -- --department NAME --out FILE [options]
       npm run export -- --platform LIST --out FILE [options]

  --department NAME   ${departments.map((d) => d.name).join(' | ')}
  --platform LIST     ${PLATFORM_LISTS.join(' | ')}: the platform's consolidated list (汇总名单) or warning list
  --out FILE          where to write (required); written to FILE.part, renamed when complete
  --format FMT        csv (default) | xlsx
  --list-type TYPE    RED | BLACK | KEY_ATTENTION (repeatable; the consolidated list takes one)
  --status STATUS     PRELIMINARY | PUBLICITY | ACTIVE | EXITED (repeatable; departments only)
  --region CODE       administrative division code or prefix (departments, consolidated list)
  --domain DOMAIN     ${departments.map((d) => d.domain).join(' | ')} (consolidated list)
  --min-domains N     subjects listed in at least N domains, 1 to ${departments.length} (consolidated list)
  --token JWT         default CREDITHUB_TOKEN; none: what the public sees
  --purpose TEXT      why personal data is read (with --reference)
  --reference TEXT    the matter it serves, e.g. an approval case number
  --url URL           the gateway (default CREDITHUB_URL or http://localhost:4000/graphql)`;

interface ExportArgs {
  listTypes?: string[];
  statuses?: string[];
  region?: string;
  domain?: string;
  minDomains?: string;
}

/** The export's URL: `list` is a department's name or `platform/<list>`. */
export function exportUrl(gateway: string, list: string, format: string, filter: ExportArgs): string {
  const url = new URL(`/export/${list}.${format}`, gateway);
  for (const type of filter.listTypes ?? []) url.searchParams.append('listType', type);
  for (const status of filter.statuses ?? []) url.searchParams.append('status', status);
  if (filter.region) url.searchParams.set('regionCode', filter.region);
  if (filter.domain) url.searchParams.set('domain', filter.domain);
  if (filter.minDomains) url.searchParams.set('minDomains', filter.minDomains);
  return url.toString();
}

/** Why these options do not make an export, or null. */
function optionProblem(values: { department?: string; platform?: string; status?: string[]; domain?: string; 'min-domains'?: string; region?: string; 'list-type'?: string[] }): string | null {
  if (Boolean(values.department) === Boolean(values.platform)) return 'give --department or --platform (one of them)';
  if (values.department && !departments.some((d) => d.name === values.department)) return `--department must be one of ${departments.map((d) => d.name).join(', ')}`;
  if (values.platform && !PLATFORM_LISTS.includes(values.platform)) return `--platform must be one of ${PLATFORM_LISTS.join(', ')}`;
  if (values.department && (values.domain || values['min-domains'])) return '--domain and --min-domains are for --platform consolidated';
  if (values.platform && values.status) return '--status is for a department\'s lists';
  if (values.platform === 'warning-list' && (values.region || values['list-type'] || values.domain || values['min-domains'])) return 'the warning list takes no filters';
  return null;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      department: { type: 'string' },
      platform: { type: 'string' },
      domain: { type: 'string' },
      'min-domains': { type: 'string' },
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
  const problem = optionProblem(values);
  if (problem) return fail(problem);
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
  const list = values.department ?? `platform/${values.platform}`;
  const url = exportUrl(values.url ?? configuration().CREDITHUB_URL ?? DEFAULT_GATEWAY_URL, list, values.format!, {
    listTypes: values['list-type'],
    statuses: values.status,
    region: values.region,
    domain: values.domain,
    minDomains: values['min-domains'],
  });
  const response = await fetch(url, { headers });
  if (!response.ok || !response.body) {
    const body = (await response.json().catch(() => null)) as { errors?: { message: string; extensions?: { code?: string } }[] } | null;
    const error = body?.errors?.[0];
    console.error(`Cannot export: the hub answered HTTP ${response.status}${error ? ` ${error.extensions?.code}: ${error.message}` : ''}`);
    return 2;
  }
  const masked = response.headers.get('x-credithub-personal-data');
  const cursor = response.headers.get('x-credithub-feed-cursor');
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
  // Where to follow the change feed from: changes(after: <cursor>) holds whatever the file may lack.
  if (cursor) console.log(`follow the change feed from: changes(after: "${cursor}")`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) runMain('export', main, 2);
