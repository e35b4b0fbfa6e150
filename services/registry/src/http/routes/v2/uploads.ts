// Blob uploads (OCI spec end-4a/4b, end-5, end-6, end-11, end-13; Docker API "Pushing An Image"):
// POST starts (or completes monolithically, or mounts), PATCH appends a chunk, PUT completes,
// GET reports progress, DELETE cancels.
import type { Request, Response } from 'express';
import { isDigest, isRepositoryName, RegistryError } from '@wharf/shared';
import type { RegistryStorage } from '../../../storage/registry-storage.js';
import { isUploadId, type UploadStatus } from '../../../storage/upload-session.js';
import { queryParam, type Handler, type MethodTable } from '../../handler.js';
import { parseChunkRange } from '../../range.js';
import { requireDigest } from './parameters.js';

function uploadLocation(name: string, uuid: string): string {
  return `/v2/${name}/blobs/uploads/${uuid}`;
}

/** Range: 0-<last byte>; "0-0" for an empty upload, as Distribution and docker expect. */
function progressHeaders(res: Response, name: string, status: UploadStatus): void {
  res.set({
    Location: uploadLocation(name, status.uuid),
    Range: `0-${Math.max(0, status.size - 1)}`,
    'Docker-Upload-UUID': status.uuid,
    'Content-Length': '0',
  });
}

function created(res: Response, name: string, digest: string): void {
  res.status(201).set({ Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest, 'Content-Length': '0' }).end();
}

/** Whether the request carries a body (a final chunk on PUT, the content on a monolithic POST). */
function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

function uploadId(param: string): string {
  if (!isUploadId(param)) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', { detail: { uuid: param } });
  return param;
}

export function uploadRoutes(storage: RegistryStorage): { start: MethodTable; session: MethodTable } {
  const start: Handler = async (req, res, ctx) => {
    const mount = queryParam(req, 'mount');
    const from = queryParam(req, 'from');
    if (mount !== undefined && from !== undefined && ctx.mayMount) {
      // A mount that cannot be done, including one with an invalid digest or source name, falls
      // back to an ordinary upload session (Docker API "Cross Repository Blob Mount"; Distribution
      // ignores unparsable mount arguments the same way) rather than failing the push.
      if (isDigest(mount) && isRepositoryName(from) && (await storage.blobs.mount(from, ctx.name, mount))) {
        return created(res, ctx.name, mount);
      }
    }
    const digestParam = queryParam(req, 'digest');
    if (digestParam !== undefined && mount === undefined) {
      const digest = requireDigest(digestParam);
      const session = await storage.uploads.start(ctx.name);
      const info = await storage.uploads.commit(ctx.name, session.uuid, digest, req);
      return created(res, ctx.name, info.digest);
    }
    const status = await storage.uploads.start(ctx.name);
    progressHeaders(res, ctx.name, status);
    res.status(202).end();
  };

  const patch: Handler = async (req, res, ctx) => {
    const uuid = uploadId(ctx.param);
    const range = parseChunkRange(req.headers['content-range']);
    if (range === 'invalid') throw new RegistryError('RANGE_INVALID', { message: 'malformed Content-Range' });
    const length = req.headers['content-length'];
    if (range && length !== undefined && Number(length) !== range.end - range.start + 1) {
      // A length that disagrees with the range is a size error, as in Distribution (SIZE_INVALID).
      throw new RegistryError('SIZE_INVALID', { message: 'Content-Length does not match Content-Range' });
    }
    let status: UploadStatus;
    try {
      status = await storage.uploads.append(ctx.name, uuid, req, range);
    } catch (err) {
      // The 416 tells the client where to resume (Docker API "Chunked Upload": Location, Range
      // and Docker-Upload-UUID of the current progress).
      if (err instanceof RegistryError && err.code === 'RANGE_INVALID') {
        progressHeaders(res, ctx.name, await storage.uploads.status(ctx.name, uuid));
      }
      throw err;
    }
    progressHeaders(res, ctx.name, status);
    res.status(202).end();
  };

  const complete: Handler = async (req, res, ctx) => {
    const uuid = uploadId(ctx.param);
    const digest = requireDigest(queryParam(req, 'digest'));
    const info = await storage.uploads.commit(ctx.name, uuid, digest, hasBody(req) ? req : undefined);
    created(res, ctx.name, info.digest);
  };

  const progress: Handler = async (_req, res, ctx) => {
    const status = await storage.uploads.status(ctx.name, uploadId(ctx.param));
    progressHeaders(res, ctx.name, status);
    res.status(204).end();
  };

  const cancel: Handler = async (_req, res, ctx) => {
    await storage.uploads.cancel(ctx.name, uploadId(ctx.param));
    res.status(204).set('Content-Length', '0').end();
  };

  return { start: { POST: start }, session: { PATCH: patch, PUT: complete, GET: progress, DELETE: cancel } };
}
