/**
 * Where webhooks may be delivered: public addresses only, unless the operator allows more.
 * A webhook must not turn the platform into a proxy into its own network (SSRF): loopback,
 * private, link-local (the cloud metadata service at 169.254.169.254), unique-local,
 * carrier-grade NAT, multicast, documentation and reserved ranges are refused — in every
 * spelling, since the URL parser normalises `0x7f000001`, `2130706433`, `127.1` to
 * 127.0.0.1, and IPv4 inside IPv6 (`::ffff:127.0.0.1`, NAT64, 6to4) is checked as IPv4.
 *
 * Checked at registration on the URL's host, and at every delivery on the address the
 * connection is actually made to: the host name is resolved in the connection's own
 * lookup, every address it resolves to is checked, and the connection goes to the checked
 * one (no second resolution a DNS rebinding could answer differently).
 *
 * WEBHOOK_ALLOWED_TARGETS (comma-separated host names, IP addresses, CIDR ranges) lets the
 * operator allow internal receivers, e.g. `127.0.0.1` for a test receiver or
 * `10.20.0.0/16,hooks.internal`.
 */
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { lookup } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { configuration } from '../kit/config/index.js';

/** Ranges no webhook reaches by default. */
const DENIED_V4: [string, number][] = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
];
const DENIED_V6: [string, number][] = [
  ['::', 128], ['::1', 128], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
];
const denied = new BlockList();
for (const [network, prefix] of DENIED_V4) denied.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of DENIED_V6) denied.addSubnet(network, prefix, 'ipv6');

export interface TargetPolicy {
  /** Host names the operator allows whatever they resolve to. */
  names: Set<string>;
  /** Addresses and ranges the operator allows. */
  addresses: BlockList;
  /** As configured, for messages. */
  description: string;
}

/** The operator's allow-list (WEBHOOK_ALLOWED_TARGETS); an entry that is no name, address or range stops the start. */
export function targetPolicyFromEnv(env?: NodeJS.ProcessEnv): TargetPolicy {
  const raw = configuration(env).WEBHOOK_ALLOWED_TARGETS ?? '';
  const policy: TargetPolicy = { names: new Set(), addresses: new BlockList(), description: raw };
  for (const entry of raw.split(',').map((e) => e.trim().toLowerCase()).filter(Boolean)) {
    const [address, prefix] = entry.replace(/^\[|\]$/g, '').split('/');
    const family = isIP(address);
    if (family && prefix === undefined) policy.addresses.addAddress(address, family === 4 ? 'ipv4' : 'ipv6');
    else if (family && /^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)) {
      policy.addresses.addSubnet(address, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
    } else if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(entry)) policy.names.add(entry);
    else throw new Error(`WEBHOOK_ALLOWED_TARGETS: "${entry}" is not a host name, an IP address or a CIDR range`);
  }
  return policy;
}

/** The IPv4 address an IPv6 address carries (IPv4-mapped, NAT64, 6to4), if any. */
function embeddedIPv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower) ?? /^2002:([0-9a-f]{1,4}):([0-9a-f]{1,4})(?::|$)/.exec(lower);
  if (!hex) return null;
  const high = parseInt(hex[1], 16);
  const low = parseInt(hex[2], 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** Why delivering to this address is refused, or null when it is allowed. */
export function addressProblem(address: string, policy: TargetPolicy): string | null {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (!family) return 'is not an IP address';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (policy.addresses.check(bare, type)) return null;
  const inner = family === 6 ? embeddedIPv4(bare) : null;
  if (inner !== null) {
    if (policy.addresses.check(inner, 'ipv4')) return null;
    if (denied.check(inner, 'ipv4')) return 'is a private, loopback, link-local or reserved address';
  }
  return denied.check(bare, type) ? 'is a private, loopback, link-local or reserved address' : null;
}

/** At registration: the URL's host, as written (names are checked again, resolved, at every delivery). */
export function hostProblem(hostname: string, policy: TargetPolicy): string | null {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (policy.names.has(host)) return null;
  if (isIP(host.replace(/^\[|\]$/g, ''))) return addressProblem(host, policy);
  if (host === 'localhost' || host.endsWith('.localhost')) return 'is a loopback name';
  return null;
}

/** Thrown inside a connection's lookup when the name resolves to an address that is not allowed. */
export class TargetRefused extends Error {
  readonly code = 'ERR_WEBHOOK_TARGET_REFUSED';
}

/**
 * A `lookup` for http.request: resolves the host, refuses it when any address it resolves
 * to is not allowed, and hands the connection exactly the addresses it checked.
 */
export function checkedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { all: true, family: options.family ?? 0 }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const allowedName = policy.names.has(hostname.toLowerCase());
      const refused = allowedName ? undefined : addresses.find((a) => addressProblem(a.address, policy) !== null);
      if (refused || addresses.length === 0) return callback(new TargetRefused(`${hostname} resolves to an address that is not allowed`), '', 0);
      if (options.all) return (callback as any)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

export interface PinnedResponse {
  status: number;
}

/**
 * POSTs `body` to `url` over a connection of its own (never a pooled one: each delivery
 * resolves and checks again), to the address checked by `checkedLookup`. A redirect is
 * returned as its status, never followed. The answer's body is not read.
 */
export function postChecked(
  url: string,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
  policy: TargetPolicy,
): Promise<PinnedResponse> {
  const target = new URL(url);
  const literal = target.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal)) {
    const problem = addressProblem(literal, policy);
    if (problem) return Promise.reject(new TargetRefused(`${literal} ${problem}`));
  }
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, agent: false, lookup: checkedLookup(policy), signal },
      (res) => {
        resolve({ status: res.statusCode ?? 0 });
        res.destroy();
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * What the owner's delivery log says of a failed connection: the kind of failure, never
 * the internal detail (which address refused, which error the platform's network gave).
 */
export function deliveryFailure(error: unknown): string {
  if (error instanceof TargetRefused) return 'the target is not allowed: webhooks are delivered to public addresses only';
  const code = String((error as any)?.code ?? (error as any)?.cause?.code ?? '');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name could not be resolved';
  if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/.test(code)) return 'the TLS handshake failed';
  return 'the connection failed';
}
