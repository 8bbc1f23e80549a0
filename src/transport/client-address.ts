/**
 * Who is on the other end of a request: the socket peer, or, behind trusted proxies, the
 * address they report in X-Forwarded-For. Each proxy appends the address it received the
 * request from, so the list is read from the right: only entries added by proxies we trust
 * are believed, and whatever a client wrote itself (on the left) is never used. This is what
 * the per-address socket cap (MAX_CONNECTIONS_PER_IP) and the logs count.
 */
import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { TrustProxy } from '../config';

/** '::ffff:10.0.0.1' → '10.0.0.1', so one client has one address whichever stack it came in on. */
export function normalizeAddress(address: string): string {
  const trimmed = address.trim();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(trimmed);
  return mapped?.[1] ?? trimmed.toLowerCase();
}

/** A predicate for "this address is one of our proxies", built once per configuration. */
export function trustedProxyMatcher(cidrs: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [net = '', bits] = cidr.split('/');
    const family = isIP(net) === 6 ? 'ipv6' : 'ipv4';
    const prefix = bits === undefined ? (family === 'ipv6' ? 128 : 32) : Number(bits);
    list.addSubnet(normalizeAddress(net), prefix, family);
  }
  return (address) => {
    const a = normalizeAddress(address);
    const family = isIP(a);
    return family !== 0 && list.check(a, family === 6 ? 'ipv6' : 'ipv4');
  };
}

/** X-Forwarded-For as a list, left (client side) to right (nearest proxy). */
function forwardedFor(req: IncomingMessage): string[] {
  const header = req.headers['x-forwarded-for'];
  const joined = Array.isArray(header) ? header.join(',') : (header ?? '');
  return joined
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * The address of the client:
 * - trust none: the socket peer, X-Forwarded-For ignored;
 * - trust `hops` proxies: the peer and the hops−1 rightmost X-Forwarded-For entries are our
 *   proxies, so the client is the hops-th entry from the right (TRUST_PROXY=1: the last one);
 * - trust CIDRs: walk from the peer leftwards while the address is a trusted proxy; the first
 *   untrusted address is the client.
 * An entry that is not an IP address stops the walk at the last trusted hop: garbage a client
 * put there never becomes its identity (it shares its proxy's address instead).
 */
export function clientAddress(req: IncomingMessage, trust: TrustProxy, isTrusted?: (address: string) => boolean): string {
  const peer = normalizeAddress(req.socket.remoteAddress ?? 'unknown');
  if (trust.kind === 'none') return peer;
  const chain = forwardedFor(req).reverse(); // nearest proxy's entry first
  const trusted = trust.kind === 'hops' ? (_address: string, i: number) => i < trust.hops : (isTrusted ?? trustedProxyMatcher(trust.cidrs));
  let client = peer;
  for (let i = 0; i < chain.length; i++) {
    const hopTrusted = trusted(client, i);
    if (!hopTrusted) break;
    const next = normalizeAddress(chain[i] ?? '');
    if (isIP(next) === 0) break;
    client = next;
  }
  return client;
}

/** clientAddress with the CIDR matcher built once: what the HTTP and socket servers call per request. */
export function clientAddressResolver(trust: TrustProxy): (req: IncomingMessage) => string {
  const matcher = trust.kind === 'cidrs' ? trustedProxyMatcher(trust.cidrs) : undefined;
  return (req) => clientAddress(req, trust, matcher);
}
