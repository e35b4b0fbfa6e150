// /v1/images/<id>/{json,layer,checksum,ancestry} (docs/protocol-v1.md, "Registry routes"). Handlers
// parse the request, call one operation of images/ and write the answer; the rules live there.
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { parseRange } from '../../../http/range.js';
import { V1Error } from '../../errors.js';
import type { V1Deps } from '../../deps.js';
import { readAncestry, readImage, type ReadableImage } from '../../images/pull.js';
import { putImageChecksum, putImageJson, putImageLayer } from '../../images/push.js';
import { readBody } from '../body.js';
import type { V1MethodTable } from '../handler.js';
import { sendDone, sendJson, sendJsonBytes } from '../respond.js';

/** Image JSON is a few KiB; this leaves room for very long Env and label lists. */
const maxImageJsonBytes = 4 * 1024 * 1024;

/** The headers every GET of an image carries (Docker reads X-Docker-Size from GET json). */
function imageHeaders(res: Response, image: ReadableImage): void {
  res.set({ 'X-Docker-Size': String(image.layer.size), 'X-Docker-Checksum-Payload': image.completion.checksum });
  if (image.completion.tarsum) res.set('X-Docker-Checksum', image.completion.tarsum);
}

export function imageJsonRoutes(deps: V1Deps): V1MethodTable {
  return {
    async GET(req, res, ctx) {
      const image = await readImage(deps, ctx.grant, ctx.image);
      imageHeaders(res, image);
      sendJsonBytes(req, res, image.json);
    },
    async PUT(req, res, ctx) {
      const body = await readBody(req, maxImageJsonBytes, deps.bodyBudget);
      await putImageJson(deps, ctx.grant, ctx.image, body);
      sendDone(req, res);
    },
  };
}

export function imageLayerRoutes(deps: V1Deps): V1MethodTable {
  return {
    async GET(req, res, ctx) {
      const image = await readImage(deps, ctx.grant, ctx.image);
      const size = image.layer.size;
      imageHeaders(res, image);
      res.set({ 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream' });
      // Docker 1.x resumes a cut-off download with `Range: bytes=<received>-<size>`.
      const range = parseRange(req.headers.range, size);
      if (range === 'unsatisfiable') {
        res.set('Content-Range', `bytes */${size}`);
        throw new V1Error('RANGE_NOT_SATISFIABLE');
      }
      if (range) {
        res.status(206).set({ 'Content-Range': `bytes ${range.start}-${range.end}/${size}`, 'Content-Length': String(range.end - range.start + 1) });
      } else {
        res.status(200).set('Content-Length', String(size));
      }
      if (req.method === 'HEAD' || size === 0) {
        res.end();
        return;
      }
      await pipeline(await deps.storage.images.openLayer(image.layer, range?.start, range?.end), res);
    },
    async PUT(req, res, ctx) {
      await putImageLayer(deps, ctx.grant, ctx.image, req);
      sendDone(req, res);
    },
  };
}

export function imageChecksumRoutes(deps: V1Deps): V1MethodTable {
  return {
    async PUT(req, res, ctx) {
      await putImageChecksum(deps, ctx.grant, ctx.image, req.headers);
      sendDone(req, res);
    },
  };
}

export function imageAncestryRoutes(deps: V1Deps): V1MethodTable {
  return {
    async GET(req, res, ctx) {
      sendJson(req, res, await readAncestry(deps, ctx.grant, ctx.image));
    },
  };
}
