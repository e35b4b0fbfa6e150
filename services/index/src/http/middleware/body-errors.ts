// Turns the body parser's own errors (malformed JSON, a body over the limit) into the index's
// error envelope with a 4xx status, instead of letting them surface as 500 UNKNOWN.
import type { NextFunction, Request, Response } from 'express';
import { IndexError } from '../errors.js';

export function bodyErrors(err: unknown, _req: Request, _res: Response, next: NextFunction): void {
  const type = (err as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed') return next(new IndexError('INVALID_REQUEST', { message: 'the body is not valid JSON' }));
  if (type === 'entity.too.large') return next(new IndexError('PAYLOAD_TOO_LARGE'));
  if (typeof type === 'string' && type.startsWith('encoding.')) return next(new IndexError('INVALID_REQUEST', { message: 'unsupported body encoding' }));
  next(err);
}
