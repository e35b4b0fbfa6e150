// Pushing v1 images (docs/protocol-v1.md, "Registry routes" and "Sequences (Docker 1.5)"):
// PUT json → PUT layer → PUT checksum, parent first. Each step checks the image's state and who
// may write it under the image's lock, so steps of one image never interleave in this process.
//
//   PUT json      409 once complete (clients skip it); an unfinished image may be replaced only
//                 by a push under the repository it was started in (an interrupted push retried);
//                 the parent must exist and be readable under the token, so a push cannot graft
//                 another repository's private image into its own ancestry.
//   PUT layer     404 without json, 409 once complete; streams, hashing as it writes.
//   PUT checksum  412 without X-Docker-Checksum-Payload; 400 on a mismatch (the image stays
//                 unfinished, and a new layer or checksum may follow); else the image is complete.
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { V1Error } from '../errors.js';
import type { V1Grant } from '../auth/authorizer.js';
import { isImageId } from '../storage/image-store.js';
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

/** Whether the image may be written under the grant: it exists, is unfinished and is its own. */
async function requireWritable(deps: V1Deps, grant: V1Grant, id: string): Promise<void> {
  const state = await deps.storage.images.state(id);
  if (state === 'absent') throw new V1Error('IMAGE_NOT_FOUND');
  if (state === 'complete') throw new V1Error('IMAGE_EXISTS');
  // Another repository's upload in progress is not there for this token.
  if (!(await deps.access.belongs(grant, id))) throw new V1Error('IMAGE_NOT_FOUND');
}

/**
 * A complete image pushed again under another repository (the same image tagged into a second
 * repository, a base shared by two, a repository re-pushed after its deletion): Docker skips it on
 * 409 and tags it next, so the image joins the token's repository when the client sent exactly
 * the stored JSON. Ids are 256 random bits and the JSON carries creation times and container
 * ids, so sending it proves the client holds the image; a guessed id alone joins nothing.
 */
async function joinIfSameJson(deps: V1Deps, grant: V1Grant, id: string, body: Buffer): Promise<void> {
  if (!grant.repository) return;
  const stored = await deps.storage.images.json(id);
  if (stored && sameJson(stored, body)) await deps.storage.membership.add(grant.repository, [id]);
}

function sameJson(a: Buffer, b: Buffer): boolean {
  if (a.equals(b)) return true;
  try {
    return JSON.stringify(JSON.parse(a.toString('utf8'))) === JSON.stringify(JSON.parse(b.toString('utf8')));
  } catch {
    return false;
  }
}

export function putImageJson(deps: V1Deps, grant: V1Grant, id: string, body: Buffer): Promise<void> {
  const { images, membership } = deps.storage;
  return images.exclusive(id, async () => {
    const state = await images.state(id);
    if (state === 'complete') {
      await joinIfSameJson(deps, grant, id, body);
      throw new V1Error('IMAGE_EXISTS');
    }
    if (state === 'unfinished' && !(await deps.access.belongs(grant, id))) throw new V1Error('IMAGE_EXISTS');
    const { parent } = parseImageJson(body, id);
    let ancestry = [id];
    if (parent) {
      const known = (await images.state(parent)) !== 'absent' && (await deps.access.mayRead(grant, parent));
      const parentAncestry = known ? await images.ancestry(parent) : undefined;
      if (!parentAncestry) throw new V1Error('PARENT_UNKNOWN');
      // Only a replaced unfinished JSON could close a loop (its descendant named it as parent).
      if (parentAncestry.includes(id)) throw invalidJson('the ancestry would contain the image itself');
      if (parentAncestry.length >= maxAncestry) throw invalidJson(`the ancestry is longer than ${maxAncestry} images`);
      ancestry = [id, ...parentAncestry];
    }
    // Membership first: were the JSON write to fail, a marker for an absent image grants nothing.
    if (grant.repository) await membership.add(grant.repository, [id]);
    await images.putJson(id, body, ancestry);
  });
}

export function putImageLayer(deps: V1Deps, grant: V1Grant, id: string, source: Readable): Promise<void> {
  const images = deps.storage.images;
  return images.exclusive(id, async () => {
    await requireWritable(deps, grant, id);
    const json = await images.json(id);
    if (!json) throw new V1Error('IMAGE_NOT_FOUND');
    await images.receiveLayer(id, json, source);
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
    await requireWritable(deps, grant, id);
    const layer = await images.layer(id);
    if (!layer) throw new V1Error('LAYER_MISSING');
    if (payload.toLowerCase() !== layer.checksum) throw new V1Error('CHECKSUM_MISMATCH');
    await images.complete(id, layer, { checksum: layer.checksum, ...(tarsum ? { tarsum } : {}) });
  });
}
