// GET/HEAD/PUT/DELETE /v2/<name>/manifests/<reference> (OCI spec end-3, end-7, end-9).
import type { Request } from 'express';
import { RegistryError } from '@wharf/shared';
import type { RegistryStorage } from '../../../storage/registry-storage.js';
import { deletesDisabled, type Handler, type MethodTable } from '../../handler.js';
import { parseReference } from './parameters.js';
import { acceptsMediaType } from './accept.js';

export interface ManifestRouteOptions {
  deleteEnabled: boolean;
  maxManifestBytes: number;
}

/** Reads the body up to `limit` bytes; MANIFEST_TOO_BIG (413) past it, without storing anything. */
async function readLimited(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    throw new RegistryError('MANIFEST_TOO_BIG', { message: `manifest of ${declared} bytes exceeds the limit of ${limit}`, detail: { limit } });
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > limit) {
      req.resume();
      throw new RegistryError('MANIFEST_TOO_BIG', { message: `manifest exceeds the limit of ${limit} bytes`, detail: { limit } });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, total);
}

export function manifestRoutes(storage: RegistryStorage, options: ManifestRouteOptions): MethodTable {
  const read: Handler = async (req, res, ctx) => {
    const reference = parseReference(ctx.param, 'MANIFEST_UNKNOWN');
    const manifest = await storage.manifests.get(ctx.name, reference);
    if (!acceptsMediaType(req.headers.accept, manifest.mediaType)) {
      throw new RegistryError('MANIFEST_UNKNOWN', {
        message: `manifest is ${manifest.mediaType}, which the request's Accept header does not allow`,
        detail: { name: ctx.name, reference, mediaType: manifest.mediaType },
      });
    }
    const etag = `"${manifest.digest}"`;
    res.set({
      'Content-Type': manifest.mediaType,
      'Content-Length': String(manifest.content.length),
      'Docker-Content-Digest': manifest.digest,
      ETag: etag,
    });
    if (req.headers['if-none-match'] === etag) {
      res.status(304).end();
      return;
    }
    res.status(200);
    if (req.method === 'HEAD') res.end();
    else res.end(manifest.content);
  };

  const put: Handler = async (req, res, ctx) => {
    const reference = parseReference(ctx.param, 'TAG_INVALID');
    const body = await readLimited(req, options.maxManifestBytes);
    const result = await storage.manifests.put(ctx.name, reference, body, req.headers['content-type'], { user: ctx.grant.user, request: req });
    res.set({
      Location: `/v2/${ctx.name}/manifests/${result.digest}`,
      'Docker-Content-Digest': result.digest,
      'Content-Length': '0',
    });
    if (result.subject) res.set('OCI-Subject', result.subject);
    res.status(201).end();
  };

  const table: MethodTable = { DELETE: deletesDisabled, GET: read, HEAD: read, PUT: put };
  if (options.deleteEnabled) {
    table.DELETE = async (req, res, ctx) => {
      const reference = parseReference(ctx.param, 'MANIFEST_UNKNOWN');
      const origin = { user: ctx.grant.user, request: req };
      if (reference.includes(':')) await storage.manifests.delete(ctx.name, reference, origin);
      else await storage.tags.untag(ctx.name, reference, origin);
      res.status(202).set('Content-Length', '0').end();
    };
  }
  return table;
}
