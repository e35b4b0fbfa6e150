// Small request bodies (image JSON, a tag's image id), read whole up to a limit and within the
// process's budget of bodies read whole; anything past the limit is refused before it is buffered.
import type { Request } from 'express';
import type { ByteBudget } from '@wharf/shared';
import { readWholeBody } from '../../http/whole-body.js';
import { V1Error } from '../errors.js';

export function readBody(req: Request, limit: number, budget: ByteBudget): Promise<Buffer> {
  return readWholeBody(req, limit, budget, () => new V1Error('TOO_LARGE'));
}
