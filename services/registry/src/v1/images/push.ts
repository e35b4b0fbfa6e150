// Pushing v1 images (docs/protocol-v1.md, "Registry routes" and "Sequences (Docker 1.5)"):
// PUT json → PUT layer → PUT checksum, parent first. Each step checks the image's state and who
// may write it under the image's lock, so steps of one image never interleave in this process.
//
//   PUT json      409 once the pushing repository's own copy is complete (clients skip it); an
//                 unfinished one is replaced (an interrupted push retried); the parent must be an
//                 image of the same repository, so a push builds on nobody else's upload.
//   PUT layer     404 without json, 409 once complete; streams, hashing as it writes.
//   PUT checksum  412 without X-Docker-Checksum-Payload; 400 on a mismatch (the image stays
//                 unfinished, and a new layer or checksum may follow); else the image is complete.
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { V1Error } from '../errors.js';
import type { V1Grant } from '../auth/authorizer.js';
import { isImageId, type ImageRef } from '../storage/image-store.js';
import type { V1Deps } from '../deps.js';

/** Longest ancestry accepted: far beyond any real image, short of a runaway chain. */
const maxAncestry = 1000;

function invalidJson(message: string): V1Error {
  return new V1Error('INVALID_IMAGE_JSON', { message: `Invalid image JSON: ${message}` });
}

/** The image JSON's parent, after checking that the JSON is an object naming `id`. */
export function parseImageJson(body: Buffer, id: string): { parent: string | undefined } {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalidJson('not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalidJson('not a JSON object');
  const fields = json as { id?: unknown; parent?: unknown };
  if (fields.id !== id) throw invalidJson("the JSON's id does not match the URL");
  if (fields.parent === undefined || fields.parent === null || fields.parent === '') return { parent: undefined };
  if (typeof fields.parent !== 'string' || !isImageId(fields.parent)) throw invalidJson('parent is not an image id');
  return { parent: fields.parent };
}

/** The grant's own copy of the image, when it may still be written: it exists and is unfinished. */
async function requireWritable(deps: V1Deps, grant: V1Grant, id: string): Promise<ImageRef> {
  // Another repository's copy, finished or not, is not there for this grant.
  const ref = await deps.access.owned(grant, id);
  const state = ref ? await deps.storage.images.state(ref) : 'absent';
  if (!ref || state === 'absent') throw new V1Error('IMAGE_NOT_FOUND');
  if (state === 'complete') throw new V1Error('IMAGE_EXISTS');
  return ref;
}

/**
 * PUT json writes the grant's own copy (auth/image-access.ts): 409 once that is complete, a
 * replaced JSON while it is unfinished (an interrupted push retried), else a new copy. Another
 * owner's image under the same id is neither an answer nor a parent here: ids are not content
 * addresses, so the pusher uploads its own bytes.
 */
export function putImageJson(deps: V1Deps, grant: V1Grant, id: string, body: Buffer): Promise<void> {
  const { images, membership } = deps.storage;
  return images.exclusive(id, async () => {
    const existing = await deps.access.owned(grant, id);
    const state = existing ? await images.state(existing) : 'absent';
    if (state === 'complete') throw new V1Error('IMAGE_EXISTS');
    const ref = existing && state !== 'absent' ? existing : deps.access.fresh(grant, id);
    const { parent } = parseImageJson(body, id);
    let ancestry = [id];
    if (parent) {
      const parentRef = await deps.access.owned(grant, parent);
      const parentAncestry = parentRef ? await images.ancestry(parentRef) : undefined;
      if (!parentAncestry) throw new V1Error('PARENT_UNKNOWN');
      // Only a replaced unfinished JSON could close a loop (its descendant named it as parent).
      if (parentAncestry.includes(id)) throw invalidJson('the ancestry would contain the image itself');
      if (parentAncestry.length >= maxAncestry) throw invalidJson(`the ancestry is longer than ${maxAncestry} images`);
      ancestry = [id, ...parentAncestry];
    }
    await images.putJson(ref, body, ancestry);
    // After the JSON: the marker lists the repository among the id's holders (for reads without
    // a token), and must never stand alone next to a shared copy that is not the repository's.
    if (grant.repository) await membership.add(grant.repository, [id]);
  });
}

export function putImageLayer(deps: V1Deps, grant: V1Grant, id: string, source: Readable): Promise<void> {
  const images = deps.storage.images;
  return images.exclusive(id, async () => {
    const ref = await requireWritable(deps, grant, id);
    const json = await images.json(ref);
    if (!json) throw new V1Error('IMAGE_NOT_FOUND');
    await images.receiveLayer(ref, json, source);
  });
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first?.trim() || undefined;
}

export function putImageChecksum(deps: V1Deps, grant: V1Grant, id: string, headers: IncomingHttpHeaders): Promise<void> {
  const payload = header(headers, 'x-docker-checksum-payload');
  if (!payload) return Promise.reject(new V1Error('CHECKSUM_MISSING'));
  const tarsum = header(headers, 'x-docker-checksum');
  const images = deps.storage.images;
  return images.exclusive(id, async () => {
    const ref = await requireWritable(deps, grant, id);
    const layer = await images.layer(ref);
    if (!layer) throw new V1Error('LAYER_MISSING');
    if (payload.toLowerCase() !== layer.checksum) throw new V1Error('CHECKSUM_MISMATCH');
    await images.complete(ref, layer, { checksum: layer.checksum, ...(tarsum ? { tarsum } : {}) });
  });
}
