// /v1/repositories/<name>/tags[/<tag>] and DELETE /v1/repositories/<name>/ (docs/protocol-v1.md,
// "Registry routes"). Handlers parse the request, call one operation of repositories/ and write
// the answer. Deletes follow storage.delete.enabled, as the v2 API's do.
import type { Request } from 'express';
import type { ChangeOrigin } from '../../../storage/registry-storage.js';
import { V1Error } from '../../errors.js';
import type { V1Deps } from '../../deps.js';
import { deleteRepository } from '../../repositories/delete.js';
import { deleteTag, getTag, listTags, parseTagBody, setTag } from '../../repositories/tags.js';
import { readBody } from '../body.js';
import type { V1Context, V1Handler, V1MethodTable } from '../handler.js';
import { sendDone, sendJson } from '../respond.js';

/** The body is a quoted image id; a little room for whitespace. */
const maxTagBodyBytes = 1024;

/** Who changed what, for the notifications a v1 change causes. */
function originOf(req: Request, ctx: V1Context): ChangeOrigin {
  return { user: ctx.grant.user, request: req };
}

const deletesDisabled: V1Handler = async () => {
  throw new V1Error('DELETE_DISABLED');
};

export function tagsRoutes(deps: V1Deps): V1MethodTable {
  return {
    async GET(req, res, ctx) {
      sendJson(req, res, await listTags(deps, ctx.name));
    },
  };
}

export function tagRoutes(deps: V1Deps, options: { deleteEnabled: boolean }): V1MethodTable {
  return {
    async GET(req, res, ctx) {
      sendJson(req, res, await getTag(deps, ctx.name, ctx.tag));
    },
    async PUT(req, res, ctx) {
      const id = parseTagBody(await readBody(req, maxTagBodyBytes, deps.bodyBudget));
      await setTag(deps, ctx.grant, ctx.name, ctx.tag, id, originOf(req, ctx));
      sendDone(req, res);
    },
    DELETE: options.deleteEnabled
      ? async (req, res, ctx) => {
          await deleteTag(deps, ctx.name, ctx.tag, originOf(req, ctx));
          sendDone(req, res);
        }
      : deletesDisabled,
  };
}

export function repositoryRoutes(deps: V1Deps, options: { deleteEnabled: boolean }): V1MethodTable {
  return {
    DELETE: options.deleteEnabled
      ? async (req, res, ctx) => {
          await deleteRepository(deps, ctx.name, originOf(req, ctx));
          sendDone(req, res);
        }
      : deletesDisabled,
  };
}
