// Browsing: home and search (the search API's function), and namespace pages.
import express, { type Router } from 'express';
import { IndexError } from '../../http/errors.js';
import { may } from '../../permissions/grant.js';
import { listNamespaceRepositories } from '../../repositories/repositories.js';
import { parseSearchQuery, searchRepositories } from '../../search/search.js';
import { contextOf } from '../context.js';
import { sendPage } from '../respond.js';
import { searchPage } from '../views/browse.js';
import { namespacePage } from '../views/namespace.js';
import { orgSection } from '../views/orgs.js';
import { orgSectionData } from './orgs.js';
import { pageParam } from '../views/format.js';
import type { UiDependencies } from '../router.js';

/** Repositories on one page of a namespace's listing. */
const namespacePageSize = 50;

export function browseRoutes({ store }: UiDependencies): Router {
  const router = express.Router();

  const search = (home: boolean) => (req: express.Request, res: express.Response) => {
    const ctx = contextOf(res);
    const q = typeof req.query.q === 'string' ? req.query.q : '';
    const query = parseSearchQuery({ q, n: '20', page: String(pageParam(req.query.page)) });
    sendPage(res, searchPage(ctx, searchRepositories(store, ctx.principal, query), home && q === ''));
  };
  router.get('/', search(true));
  router.get('/search', search(false));

  router.get('/n/:namespace', (req, res) => {
    const ctx = contextOf(res);
    const namespace = store.namespaces.byName(req.params.namespace);
    if (!namespace) throw new IndexError('NOT_FOUND', { message: `no such user or organization: ${req.params.namespace}` });
    const paging = { n: namespacePageSize, page: pageParam(req.query.page) };
    const repos = { ...listNamespaceRepositories(store, ctx.principal, namespace.name, paging), ...paging };
    // Whoever may push a new name there may create a repository (createRepository asks the same).
    const mayCreate = may(store, ctx.principal, `${namespace.name}/new`, 'push');
    const section = namespace.kind === 'org' ? orgSection(ctx, orgSectionData(store, ctx.principal, namespace)) : '';
    sendPage(res, namespacePage(ctx, namespace, repos, mayCreate, section));
  });

  return router;
}
