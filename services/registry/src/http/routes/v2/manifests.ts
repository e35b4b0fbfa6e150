// GET/HEAD/PUT/DELETE /v2/<name>/manifests/<reference> (OCI spec end-3, end-7, end-9).
import { RegistryError, type ByteBudget } from '@wharf/shared';
import type { RegistryStorage } from '../../../storage/registry-storage.js';
import { deletesDisabled, type Handler, type MethodTable } from '../../handler.js';
import { parseReference } from './parameters.js';
import { acceptsMediaType } from './accept.js';
import { readWholeBody } from '../../whole-body.js';

export interface ManifestRouteOptions {
  deleteEnabled: boolean;
  maxManifestBytes: number;
  /** The process's budget of bodies read whole (http.bufferedBodyBytes). */
  bodyBudget: ByteBudget;
}

function manifestTooBig(limit: number) {
  return (declared?: number) =>
    new RegistryError('MANIFEST_TOO_BIG', {
      message: declared === undefined ? `manifest exceeds the limit of ${limit} bytes` : `manifest of ${declared} bytes exceeds the limit of ${limit}`,
      detail: { limit },
    });
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
    const body = await readWholeBody(req, options.maxManifestBytes, options.bodyBudget, manifestTooBig(options.maxManifestBytes));
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
