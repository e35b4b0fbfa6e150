// GET /v2/<name>/referrers/<digest>[?artifactType=] (OCI spec end-12a/12b, "Listing Referrers").
import { mediaTypes } from '@wharf/shared';
import type { RegistryStorage } from '../../../storage/registry-storage.js';
import { queryParam, type MethodTable } from '../../handler.js';
import { requireDigest } from './parameters.js';

export function referrerRoutes(storage: RegistryStorage): MethodTable {
  return {
    GET: async (req, res, ctx) => {
      const subject = requireDigest(ctx.param);
      const artifactType = queryParam(req, 'artifactType');
      const index = await storage.referrers.list(ctx.name, subject, storage.manifests, artifactType);
      if (artifactType !== undefined) res.set('OCI-Filters-Applied', 'artifactType');
      const body = Buffer.from(JSON.stringify(index));
      res.status(200).set({ 'Content-Type': mediaTypes.ociIndex, 'Content-Length': String(body.length) }).end(body);
    },
  };
}
