// How v1 routes answer with JSON: always with Content-Type and Content-Length, and no body for
// HEAD. Every successful PUT and DELETE answers the JSON string "" (the v1 documents' examples).
import type { Request, Response } from 'express';

/** Sends JSON bytes as they are (image JSON is served exactly as uploaded). */
export function sendJsonBytes(req: Request, res: Response, body: Buffer, status = 200): void {
  res.status(status).set({ 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export function sendJson(req: Request, res: Response, value: unknown, status = 200): void {
  sendJsonBytes(req, res, Buffer.from(JSON.stringify(value)), status);
}

export function sendDone(req: Request, res: Response): void {
  sendJson(req, res, '');
}
