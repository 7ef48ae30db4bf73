// Which network addresses a provider's base URL may point at. Provider calls run on the server,
// so without these rules any user could make the server reach its own loopback services, the
// private network it sits in, or a cloud metadata service.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Whether a provider may reach loopback and private-network addresses. */
export type PrivateNetworkAccess = 'allowed' | 'denied';

/** How an address is treated: reachable by every provider, by trusted ones only, or by none. */
export type AddressClass = 'public' | 'private' | 'forbidden';

/** An address the policy rejects, with the sentence that says why and what to do. */
export interface AddressRejection {
  address: string;
  addressClass: 'private' | 'forbidden';
  message: string;
}

/**
 * Addresses no provider may reach: this network (0.0.0.0/8), link-local ranges, where cloud
 * metadata services listen (169.254.169.254, fd00:ec2::254), Alibaba Cloud's metadata address,
 * multicast, the reserved 240.0.0.0/4 with the broadcast address, and the unspecified address.
 */
const FORBIDDEN = new BlockList();
FORBIDDEN.addSubnet('0.0.0.0', 8, 'ipv4');
FORBIDDEN.addSubnet('169.254.0.0', 16, 'ipv4');
FORBIDDEN.addAddress('100.100.100.200', 'ipv4');
FORBIDDEN.addSubnet('224.0.0.0', 4, 'ipv4');
FORBIDDEN.addSubnet('240.0.0.0', 4, 'ipv4');
FORBIDDEN.addAddress('::', 'ipv6');
FORBIDDEN.addSubnet('fe80::', 10, 'ipv6');
FORBIDDEN.addAddress('fd00:ec2::254', 'ipv6');
FORBIDDEN.addSubnet('ff00::', 8, 'ipv6');

/**
 * Loopback and private networks: 127.0.0.0/8 and ::1, the RFC 1918 ranges, carrier-grade NAT
 * (100.64.0.0/10), IPv6 unique local addresses (fc00::/7), the deprecated IPv6 site-local range
 * (fec0::/10) and the local-use NAT64 prefix (64:ff9b:1::/48), which a local gateway translates
 * to any IPv4 address. BlockList also matches the IPv4-mapped IPv6 form of each IPv4 range, such
 * as ::ffff:127.0.0.1.
 */
const PRIVATE = new BlockList();
PRIVATE.addSubnet('127.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4');
PRIVATE.addAddress('::1', 'ipv6');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');
PRIVATE.addSubnet('fec0::', 10, 'ipv6');
PRIVATE.addSubnet('64:ff9b:1::', 48, 'ipv6');

/** The NAT64 prefix: 64:ff9b::a9fe:a9fe reaches 169.254.169.254 through a NAT64 gateway. */
const NAT64_PREFIX = /^64:ff9b::(?:([0-9a-f]{1,4}):([0-9a-f]{1,4})|(\d+\.\d+\.\d+\.\d+))$/i;

/** How long a save waits for DNS before it leaves the check to the connection. */
const SAVE_LOOKUP_TIMEOUT_MS = 5000;

/** Classifies an IP address literal. */
export function classifyAddress(address: string): AddressClass {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  const embedded = family === 'ipv6' ? nat64Ipv4(address) : null;
  if (embedded !== null) {
    return classifyAddress(embedded);
  }
  if (FORBIDDEN.check(address, family)) {
    return 'forbidden';
  }
  return PRIVATE.check(address, family) ? 'private' : 'public';
}

/** Returns the rejection of one address under the access, or null when it may be reached. */
export function rejectAddress(
  host: string,
  address: string,
  access: PrivateNetworkAccess,
): AddressRejection | null {
  const addressClass = classifyAddress(address);
  const where = host === address ? `host ${host}` : `host ${host} (${address})`;
  if (addressClass === 'forbidden') {
    return {
      address,
      addressClass,
      message:
        `The base URL ${where} is a link-local, cloud metadata, multicast or reserved address, ` +
        "which providers may never reach; use the provider's own address.",
    };
  }
  if (addressClass === 'private' && access === 'denied') {
    return {
      address,
      addressClass,
      message:
        `The base URL ${where} is a loopback or private network address, which only admins' ` +
        'providers may reach; ask an admin to add the provider, or to set ' +
        'PROVIDER_PRIVATE_NETWORKS=all on the server.',
    };
  }
  return null;
}

/**
 * Checks a base URL host right before a request: an IP literal as it is, and a name through DNS.
 * Returns the first rejected address, or null. A failed lookup returns null, because the request
 * that follows fails with its own, clearer error.
 */
export async function checkHostBeforeRequest(
  hostname: string,
  access: PrivateNetworkAccess,
): Promise<AddressRejection | null> {
  const host = bareHost(hostname);
  if (isIP(host) !== 0) {
    return rejectAddress(host, host, access);
  }
  if (isLocalhostName(host)) {
    return rejectAddress(host, '127.0.0.1', access);
  }
  let addresses: string[];
  try {
    addresses = (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
  } catch {
    return null;
  }
  return firstRejection(host, addresses, access);
}

/**
 * Checks a base URL host when a provider is saved. IP literals and `localhost` names are checked
 * always. Other names are resolved only when the provider may not reach private networks, to
 * reject a name that points into one at once; names that resolve to forbidden addresses are
 * rejected on every request by checkHostBeforeRequest. A lookup that fails or takes over 5 s
 * passes, as the host may not be in DNS yet.
 */
export async function checkHostOnSave(
  hostname: string,
  access: PrivateNetworkAccess,
): Promise<AddressRejection | null> {
  const host = bareHost(hostname);
  if (isIP(host) !== 0) {
    return rejectAddress(host, host, access);
  }
  if (isLocalhostName(host)) {
    return rejectAddress(host, '127.0.0.1', access);
  }
  if (access === 'allowed') {
    return null;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), SAVE_LOOKUP_TIMEOUT_MS);
  });
  try {
    const resolved = await Promise.race([
      lookup(host, { all: true, verbatim: true }).catch(() => null),
      timeout,
    ]);
    return resolved === null
      ? null
      : firstRejection(
          host,
          resolved.map((entry) => entry.address),
          access,
        );
  } finally {
    clearTimeout(timer);
  }
}

function firstRejection(
  host: string,
  addresses: string[],
  access: PrivateNetworkAccess,
): AddressRejection | null {
  for (const address of addresses) {
    const rejection = rejectAddress(host, address, access);
    if (rejection !== null) {
      return rejection;
    }
  }
  return null;
}

/** `localhost` and its subdomains resolve to loopback without DNS (RFC 6761). */
function isLocalhostName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/** Removes the brackets URL.hostname keeps around an IPv6 address. */
function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

function nat64Ipv4(address: string): string | null {
  const match = NAT64_PREFIX.exec(address);
  if (match === null) {
    return null;
  }
  if (match[3] !== undefined) {
    return match[3];
  }
  const high = parseInt(match[1] ?? '0', 16);
  const low = parseInt(match[2] ?? '0', 16);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}
