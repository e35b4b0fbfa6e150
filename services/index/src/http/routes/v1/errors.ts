// The one renderer of errors on the index's v1 routes. v1 clients know no error envelope: Docker
// prints the body as it comes, and the registry half of the protocol answers {"error": "…"}, so
// the index does too. Status and headers come from the index catalogue (http/errors.ts), as for
// the JSON API; only the body differs.
import type { Logger } from 'pino';
import { errorRenderer } from '@wharf/common';
import { renderV1Error } from '@wharf/shared';

export function renderV1Errors(fallback: Logger) {
  return errorRenderer(fallback, renderV1Error);
}
