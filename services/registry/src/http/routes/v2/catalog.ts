// GET /v2/_catalog with pagination (Docker registry API "Catalog").
import type { RegistryStorage } from '../../../storage/registry-storage.js';
import { paginate } from '../../../storage/catalog.js';
import type { MethodTable } from '../../handler.js';
import { nextLink, pagination } from './parameters.js';

const defaultPage = 1000;
const maxPage = 10_000;

export function catalogRoutes(storage: RegistryStorage): MethodTable {
  return {
    GET: async (req, res) => {
      const { n, last } = pagination(req, defaultPage, maxPage);
      const page = paginate(await storage.catalog.repositories(), n, last);
      if (page.more && n !== undefined) res.set('Link', nextLink('/v2/_catalog', n, page.items.at(-1)!));
      res.status(200).json({ repositories: page.items });
    },
  };
}
