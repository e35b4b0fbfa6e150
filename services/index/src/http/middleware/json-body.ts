// The JSON API reads JSON bodies only. A body of another type (curl's -d without
// `-H 'Content-Type: application/json'` sends a form) would otherwise be read as no fields at
// all, so a PATCH answered 200 having changed nothing: refuse it, saying what to send.
import type { NextFunction, Request, Response } from 'express';
import { IndexError } from '../errors.js';

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

export function requireJsonBody(req: Request, _res: Response, next: NextFunction): void {
  if (hasBody(req) && !req.is('application/json')) {
    const given = req.headers['content-type'] ?? 'none';
    return next(new IndexError('INVALID_REQUEST', { message: `the body must be JSON, sent with Content-Type: application/json (got ${given})` }));
  }
  next();
}
