import { BlockList, isIP } from 'node:net';

/**
 * Which reverse proxies in front of Bangfu may say who the client is (`TRUSTED_PROXY`):
 * `undefined` trusts none (the socket address is the client), `{ hops }` trusts that many proxies
 * nearest to the server, `{ addresses }` trusts proxies whose address is listed (addresses or CIDRs).
 */
export type TrustedProxy = { hops: number } | { addresses: string[] } | undefined;

/** Parses `TRUSTED_PROXY`: a hop count (`1`) or a comma list of addresses/CIDRs; `null` when malformed. */
export function parseTrustedProxy(raw: string): TrustedProxy | null {
  const value = raw.trim();
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return hops <= 20 ? (hops === 0 ? undefined : { hops }) : null;
  }
  const addresses = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!addresses.length) return null;
  for (const a of addresses) {
    const [address, bits, ...rest] = a.split('/');
    const family = isIP(address ?? '');
    if (!family || rest.length) return null;
    if (bits !== undefined && (!/^\d+$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128))) return null;
  }
  return { addresses };
}

/** `::ffff:10.0.0.1` → `10.0.0.1`; `10.0.0.1:5555` and `[::1]:5555` → the address; anything else as given. */
function normalise(address: string): string {
  let a = address.trim();
  const bracketed = a.match(/^\[([^\]]+)\](?::\d+)?$/);
  if (bracketed) a = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(':'));
  const mapped = a.match(/^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i);
  return mapped ? mapped[1]! : a;
}

const resolvers = new WeakMap<object, (socketAddress: string | undefined, forwardedFor: string | null | undefined) => string>();

function buildResolver(trusted: TrustedProxy) {
  let isTrusted: (address: string, hop: number) => boolean = () => false;
  if (trusted && 'hops' in trusted) isTrusted = (_a, hop) => hop < trusted.hops;
  if (trusted && 'addresses' in trusted) {
    const list = new BlockList();
    for (const entry of trusted.addresses) {
      const [address, bits] = entry.split('/') as [string, string | undefined];
      const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) list.addAddress(normalise(address), type);
      else list.addSubnet(address, Number(bits), type);
    }
    isTrusted = (a) => {
      const family = isIP(a);
      return family !== 0 && list.check(a, family === 6 ? 'ipv6' : 'ipv4');
    };
  }
  return (socketAddress: string | undefined, forwardedFor: string | null | undefined) => {
    const socket = socketAddress ? normalise(socketAddress) : '';
    if (!trusted || !socket) return socket || '0.0.0.0';
    // The chain as the server sees it, nearest last: what the client claimed, then each proxy's view.
    const chain = [...(forwardedFor ?? '').split(',').map(normalise).filter(Boolean), socket];
    // Walk from the server outwards while the hop is a trusted proxy; the first untrusted one is the client.
    for (let i = chain.length - 1, hop = 0; i > 0; i--, hop++) {
      if (!isTrusted(chain[i]!, hop)) return chain[i]!;
    }
    return chain[0]!;
  };
}

/**
 * The client's address for per-IP limits, sessions and the audit log — the one place both the Hono
 * API and the SvelteKit pages take it from. `X-Forwarded-For` counts only through proxies that
 * `TRUSTED_PROXY` trusts; without it the socket address is used, so a header written by the client
 * cannot give each try a fresh address.
 */
export function resolveClientIp(config: { TRUSTED_PROXY: TrustedProxy }, socketAddress: string | undefined, forwardedFor: string | null | undefined): string {
  let resolve = resolvers.get(config);
  if (!resolve) {
    resolve = buildResolver(config.TRUSTED_PROXY);
    resolvers.set(config, resolve);
  }
  return resolve(socketAddress, forwardedFor);
}
