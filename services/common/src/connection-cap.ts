// A cap on open connections, with a share per client address: one peer stalling hundreds of
// connections must not take the file descriptors every other client needs. A refused connection
// is destroyed as soon as it is accepted, which costs next to nothing.
import { isIPv6, type Server, type Socket } from 'node:net';

export interface ConnectionCap {
  /** Most connections open at once on this listener. */
  max: number;
  /** Most connections one client address may hold, as a share of `max` (at least one). */
  perAddressShare: number;
}

/** Expands an IPv6 address to its eight groups ('::' filled with zeros). */
function ipv6Groups(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  return [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
}

/**
 * Whose share a connection counts against: an IPv4 address (also when IPv4-mapped), or an IPv6
 * /64, since one host is usually handed a whole /64 and could otherwise rotate through it.
 */
export function peerKey(address: string | undefined): string {
  if (!address) return '';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  return `${ipv6Groups(address.split('%')[0]!).slice(0, 4).map((group) => group.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** Counts connections as they open and close; destroys a new one over the cap or its address's share. */
export function capConnections(server: Server, cap: ConnectionCap, onRefused: (key: string, reason: 'total' | 'address') => void): void {
  const perAddress = Math.max(1, Math.floor(cap.max * cap.perAddressShare));
  const byPeer = new Map<string, number>();
  let total = 0;
  server.on('connection', (socket: Socket) => {
    const key = peerKey(socket.remoteAddress);
    const held = byPeer.get(key) ?? 0;
    const over = total >= cap.max ? 'total' : held >= perAddress ? 'address' : undefined;
    if (over) {
      socket.destroy();
      onRefused(key, over);
      return;
    }
    total++;
    byPeer.set(key, held + 1);
    socket.once('close', () => {
      total--;
      const left = (byPeer.get(key) ?? 1) - 1;
      if (left === 0) byPeer.delete(key);
      else byPeer.set(key, left);
    });
  });
}
