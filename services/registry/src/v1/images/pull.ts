// Reading v1 images (GET json, layer, ancestry): an image is served only when it exists, the
// grant may read it (auth/image-access.ts) and it is complete — an unfinished image is never
// served (docs/protocol-v1.md: 400 while the upload is unfinished).
import { V1Error, requiresAuthorization } from '../errors.js';
import type { V1Grant } from '../auth/authorizer.js';
import type { Completion, ImageRef, LayerRecord } from '../storage/image-store.js';
import type { V1Deps } from '../deps.js';

export interface ReadableImage {
  json: Buffer;
  layer: LayerRecord;
  completion: Completion;
}

/**
 * The copy the grant reads (auth/image-access.ts), complete. An image the grant does not reach
 * answers as one that does not exist: without a token it asks for one (401), with a token it is
 * simply not there (404).
 */
async function requireReadable(deps: V1Deps, grant: V1Grant, id: string): Promise<ImageRef> {
  const ref = await deps.access.reach(grant, id);
  if (!ref) throw grant.anonymous ? requiresAuthorization() : new V1Error('IMAGE_NOT_FOUND');
  const state = await deps.storage.images.state(ref);
  if (state === 'absent') throw new V1Error('IMAGE_NOT_FOUND');
  if (state !== 'complete') throw new V1Error('IMAGE_UNFINISHED');
  return ref;
}

export async function readImage(deps: V1Deps, grant: V1Grant, id: string): Promise<ReadableImage> {
  const ref = await requireReadable(deps, grant, id);
  const images = deps.storage.images;
  const [json, layer, completion] = await Promise.all([images.json(ref), images.layer(ref), images.completion(ref)]);
  if (!json || !layer || !completion) throw new V1Error('IMAGE_NOT_FOUND');
  return { json, layer, completion };
}

export async function readAncestry(deps: V1Deps, grant: V1Grant, id: string): Promise<string[]> {
  const ref = await requireReadable(deps, grant, id);
  const ancestry = await deps.storage.images.ancestry(ref);
  if (!ancestry) throw new V1Error('IMAGE_NOT_FOUND');
  return ancestry;
}
