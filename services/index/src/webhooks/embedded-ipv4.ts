// The IPv4 addresses an IPv6 address carries, by the standard embeddings (RFC 4291 mapped and
// compatible, RFC 2765 translated, RFC 6052 NAT64, RFC 3056 6to4, RFC 4380 Teredo, RFC 5214
// ISATAP). A packet to such an address ends up at (or is tunnelled via) the IPv4 host, so an
// address guard must judge it by that host.

/** The eight 16-bit groups of a valid IPv6 address (as node:net's isIP accepts it, no zone id). */
export function ipv6Words(address: string): number[] {
  let text = address.toLowerCase();
  // A trailing dotted quad stands for the last two groups.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const front = groups(head);
  if (tail === undefined) return front;
  const back = groups(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

const dottedQuad = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;

/** Every IPv4 address the groups embed (none for a native IPv6 address). */
export function embeddedIpv4(words: number[]): string[] {
  const [w0, w1, w2, w3, w4, w5, w6, w7] = words as [number, number, number, number, number, number, number, number];
  const last32 = dottedQuad(w6, w7);
  const found: string[] = [];
  const zeroPrefix = w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0;
  // ::a.b.c.d (compatible, also :: and ::1), ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (translated).
  if (zeroPrefix && ((w4 === 0 && (w5 === 0 || w5 === 0xffff)) || (w4 === 0xffff && w5 === 0))) found.push(last32);
  // 64:ff9b::/96, the well-known NAT64 prefix.
  if (w0 === 0x64 && w1 === 0xff9b && w2 === 0 && w3 === 0 && w4 === 0 && w5 === 0) found.push(last32);
  // 2002:AABB:CCDD::/48, 6to4.
  if (w0 === 0x2002) found.push(dottedQuad(w1, w2));
  // 2001:0::/32, Teredo: the server's address, and the client's (inverted) in the last 32 bits.
  if (w0 === 0x2001 && w1 === 0) found.push(dottedQuad(w2, w3), dottedQuad(~w6 & 0xffff, ~w7 & 0xffff));
  // ISATAP interface id: [02]00:5efe:a.b.c.d under any prefix.
  if ((w4 === 0 || w4 === 0x200) && w5 === 0x5efe) found.push(last32);
  return found;
}
