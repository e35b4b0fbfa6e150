// GET /v1/_ping and /_ping (docs/protocol-v1.md): 200 with X-Docker-Registry-Standalone, which tells
// Docker 1.x whether to go through an index ("False") or to send its own credentials here
// ("True"). The body is the JSON object the Python registry answered with.
import type { V1MethodTable } from '../handler.js';

export function pingRoutes(standalone: boolean): V1MethodTable {
  return {
    async GET(_req, res) {
      res.status(200).set('X-Docker-Registry-Standalone', standalone ? 'True' : 'False').json({});
    },
  };
}
