/**
 * Whether a socket.io handshake may proceed, judged by its `Origin` header (cross-site WebSocket
 * hijacking: a foreign page opening our socket with the visitor's session cookie).
 *
 * - With `ORIGIN` configured, only that origin is accepted. In split set-ups (`PUBLIC_REALTIME_URL`)
 *   that is the web origin the pages are served from, not the realtime node's own address.
 * - Without it, the page must be same-origin with the handshake: the Origin's host equals the `Host`
 *   the browser connected to (so localhost, 127.0.0.1 and a LAN address each work on their own).
 * - A handshake without `Origin` comes from a non-browser client (browsers always send it on WebSocket
 *   and cross-origin requests); such a client has no visitor's cookie to abuse, and is let through.
 */
export function isAllowedSocketOrigin(origin: string | undefined, host: string | undefined, configuredOrigin: string | undefined): boolean {
  if (origin === undefined) return true;
  let from: URL;
  try {
    from = new URL(origin);
  } catch {
    return false;
  }
  if (configuredOrigin) return from.origin === new URL(configuredOrigin).origin;
  return Boolean(host) && from.host === host!.toLowerCase();
}

export const FOREIGN_ORIGIN_MESSAGE = '连接来源不被允许：请从本站页面访问';
