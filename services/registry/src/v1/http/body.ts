// Small request bodies (image JSON, a tag's image id), read whole up to a limit; anything past
// it is refused before it is buffered.
import type { Request } from 'express';
import { V1Error } from '../errors.js';

export async function readBody(req: Request, limit: number): Promise<Buffer> {
  if (Number(req.headers['content-length'] ?? 0) > limit) throw new V1Error('TOO_LARGE');
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > limit) throw new V1Error('TOO_LARGE');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, total);
}
