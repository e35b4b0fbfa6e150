// GET /v2/<name>/tags/list with pagination (OCI spec end-8a/8b).
import type { RegistryStorage } from '../../../storage/registry-storage.js';
import { paginate } from '../../../storage/catalog.js';
import type { MethodTable } from '../../handler.js';
import { nextLink, pagination } from './parameters.js';

const maxPage = 10_000;

export function tagRoutes(storage: RegistryStorage): MethodTable {
  return {
    GET: async (req, res, ctx) => {
      const { n, last } = pagination(req, undefined, maxPage);
      const page = paginate(await storage.tags.list(ctx.name), n, last);
      if (page.more && n !== undefined) res.set('Link', nextLink(`/v2/${ctx.name}/tags/list`, n, page.items.at(-1)!));
      res.status(200).json({ name: ctx.name, tags: page.items });
    },
  };
}
