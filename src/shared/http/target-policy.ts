import ipaddr from 'ipaddr.js';

/**
 * Which delivery targets are allowed. Unless ALLOW_PRIVATE_TARGETS is on, a webhook must use https and must
 * not point at an address of a loopback, private, link-local, CGNAT, multicast or reserved range, including
 * IPv4 addresses hidden in IPv6 (IPv4-mapped, NAT64, 6to4, Teredo). Ranges come from ipaddr.js.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const ip = ipaddr.parse(address);
  const v4 = ip instanceof ipaddr.IPv6 ? embeddedIPv4(ip) : ip;
  return (v4 ?? ip).range() === 'unicast';
}

function embeddedIPv4(ip: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const range = ip.range();
  const b = ip.toByteArray();
  if (range === 'ipv4Mapped') return ip.toIPv4Address();
  if (range === 'rfc6052' || range === 'rfc6145') return new ipaddr.IPv4(b.slice(12)); // NAT64
  if (range === '6to4') return new ipaddr.IPv4(b.slice(2, 6));
  if (range === 'teredo') return new ipaddr.IPv4(b.slice(12).map((x) => x ^ 0xff));
  return undefined;
}

/** The hostname of a URL as an address, or undefined when it is a name. */
export function literalAddress(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) && (bare.includes(':') || ipaddr.IPv4.isValidFourPartDecimal(bare)) ? bare : undefined;
}

/** Why a URL may not be a delivery target, or undefined when it may. */
export function targetUrlProblem(url: string, allowPrivate: boolean): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'must be an absolute http(s) URL';
  if (!parsed.hostname) return 'must name a host';
  if (parsed.username || parsed.password) return 'must not carry credentials; use auth';
  if (allowPrivate) return undefined;
  if (parsed.protocol !== 'https:') return 'must use https (http is allowed only with ALLOW_PRIVATE_TARGETS)';
  const host = parsed.hostname.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 'must not point at this machine (localhost)';
  const literal = literalAddress(host);
  if (literal !== undefined && !isPublicAddress(literal))
    return `must not point at a private or reserved address (${literal})`;
  return undefined;
}
