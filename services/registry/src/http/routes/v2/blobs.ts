// GET/HEAD/DELETE /v2/<name>/blobs/<digest> (OCI spec end-2, end-10).
import { pipeline } from 'node:stream/promises';
import { RegistryError } from '@wharf/shared';
import type { RegistryStorage } from '../../../storage/registry-storage.js';
import { deletesDisabled, type Handler, type MethodTable } from '../../handler.js';
import { parseRange } from '../../range.js';
import { requireDigest } from './parameters.js';

export interface BlobRouteOptions {
  deleteEnabled: boolean;
  redirect: boolean;
  /** storage.readOnly: no push follows a HEAD here, so it claims nothing (and writes nothing). */
  readOnly?: boolean;
}

export function blobRoutes(storage: RegistryStorage, options: BlobRouteOptions): MethodTable {
  const read: Handler = async (req, res, ctx) => {
    const digest = requireDigest(ctx.param);
    // A HEAD is how clients decide a blob need not be pushed again: it counts as a reference.
    const info = await storage.blobs.stat(ctx.name, digest, req.method === 'HEAD' && !options.readOnly);
    const etag = `"${digest}"`;
    res.set({ 'Docker-Content-Digest': digest, ETag: etag, 'Accept-Ranges': 'bytes', 'Cache-Control': 'max-age=31536000' });
    if (options.redirect) {
      const url = await storage.blobs.redirectURL(digest, req.method === 'HEAD' ? 'HEAD' : 'GET');
      if (url) {
        res.status(307).set('Location', url).end();
        return;
      }
    }
    if (req.headers['if-none-match'] === etag) {
      res.status(304).end();
      return;
    }
    const range = parseRange(req.headers.range, info.size);
    if (range === 'unsatisfiable') {
      res.set('Content-Range', `bytes */${info.size}`);
      throw new RegistryError('RANGE_INVALID', { message: `range not satisfiable for a blob of ${info.size} bytes` });
    }
    res.set('Content-Type', 'application/octet-stream');
    if (range) {
      res.status(206).set({
        'Content-Range': `bytes ${range.start}-${range.end}/${info.size}`,
        'Content-Length': String(range.end - range.start + 1),
      });
    } else {
      res.status(200).set('Content-Length', String(info.size));
    }
    if (req.method === 'HEAD' || info.size === 0) {
      res.end();
      return;
    }
    const stream = await storage.blobs.open(digest, range?.start, range?.end);
    await pipeline(stream, res);
  };

  const table: MethodTable = { DELETE: deletesDisabled, GET: read, HEAD: read };
  if (options.deleteEnabled) {
    table.DELETE = async (_req, res, ctx) => {
      const digest = requireDigest(ctx.param);
      await storage.blobs.unlink(ctx.name, digest);
      res.status(202).set('Content-Length', '0').end();
    };
  }
  return table;
}
