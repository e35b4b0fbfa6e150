// GET /v2/<name>/referrers/<digest>[?artifactType=] (OCI spec end-12a/12b, "Listing Referrers").
import { mediaTypes } from '@wharf/shared';
import type { RegistryStorage } from '../../../storage/registry-storage.js';
import { queryParam, type MethodTable } from '../../handler.js';
import { requireDigest } from './parameters.js';

/**
 * Pages hold at most `maxPageBytes` (storage.maxManifestBytes: an index clients already accept),
 * the next one linked by rel="next" (OCI spec, "Listing Referrers"), whose `last` is opaque to them.
 */
export function referrerRoutes(storage: RegistryStorage, maxPageBytes: number): MethodTable {
  return {
    GET: async (req, res, ctx) => {
      const subject = requireDigest(ctx.param);
      const artifactType = queryParam(req, 'artifactType');
      const page = await storage.referrers.list(ctx.name, subject, storage.manifests, { artifactType, after: queryParam(req, 'last'), maxBytes: maxPageBytes });
      if (artifactType !== undefined) res.set('OCI-Filters-Applied', 'artifactType');
      if (page.next !== undefined) {
        const query = new URLSearchParams({ ...(artifactType === undefined ? {} : { artifactType }), last: page.next });
        res.set('Link', `</v2/${ctx.name}/referrers/${subject}?${query.toString()}>; rel="next"`);
      }
      const index = page.index;
      const body = Buffer.from(JSON.stringify(index));
      res.status(200).set({ 'Content-Type': mediaTypes.ociIndex, 'Content-Length': String(body.length) }).end(body);
    },
  };
}
