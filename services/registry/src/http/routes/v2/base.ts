// GET /v2/ (OCI spec end-1): 200 tells the client this is a v2 registry and its credentials work.
import type { MethodTable } from '../../handler.js';

export function baseRoutes(): MethodTable {
  const ok: MethodTable['GET'] = async (_req, res) => {
    res.status(200).json({});
  };
  return { GET: ok, HEAD: ok };
}
