// Reading v1 images (GET json, layer, ancestry): an image is served only when it exists, the
// grant may read it (auth/image-access.ts) and it is complete — an unfinished image is never
// served (docs/protocol-v1.md: 400 while the upload is unfinished).
import { V1Error, requiresAuthorization } from '../errors.js';
import type { V1Grant } from '../auth/authorizer.js';
import type { Completion, LayerRecord } from '../storage/image-store.js';
import type { V1Deps } from '../deps.js';

export interface ReadableImage {
  json: Buffer;
  layer: LayerRecord;
  completion: Completion;
}

/**
 * Checks access before existence, so the answer says nothing of images the grant may not read:
 * without a token every such image asks for one (401), with a token for another repository it is
 * simply not there (404) — exactly as an image that does not exist at all.
 */
async function requireReadable(deps: V1Deps, grant: V1Grant, id: string): Promise<void> {
  if (!(await deps.access.mayRead(grant, id))) throw grant.anonymous ? requiresAuthorization() : new V1Error('IMAGE_NOT_FOUND');
  const state = await deps.storage.images.state(id);
  if (state === 'absent') throw new V1Error('IMAGE_NOT_FOUND');
  if (state !== 'complete') throw new V1Error('IMAGE_UNFINISHED');
}

export async function readImage(deps: V1Deps, grant: V1Grant, id: string): Promise<ReadableImage> {
  await requireReadable(deps, grant, id);
  const images = deps.storage.images;
  const [json, layer, completion] = await Promise.all([images.json(id), images.layer(id), images.completion(id)]);
  if (!json || !layer || !completion) throw new V1Error('IMAGE_NOT_FOUND');
  return { json, layer, completion };
}

export async function readAncestry(deps: V1Deps, grant: V1Grant, id: string): Promise<string[]> {
  await requireReadable(deps, grant, id);
  const ancestry = await deps.storage.images.ancestry(id);
  if (!ancestry) throw new V1Error('IMAGE_NOT_FOUND');
  return ancestry;
}
