// v1 tags (docs/protocol-v1.md: GET|PUT|DELETE /v1/repositories/<r>/tags/<tag>, GET …/tags). Setting
// a tag is where the v1 → v2 bridge runs: the tagged image's whole ancestry joins the repository
// and becomes a v2 image under the same name and tag; only then is the v1 tag written, so a v1
// tag always has its v2 twin. Deleting the v1 tag removes the twin while it is still the bridge's.
import { V1Error } from '../errors.js';
import type { V1Grant } from '../auth/authorizer.js';
import { loadChain, publishBridge } from '../bridge/publish.js';
import { isImageId } from '../storage/image-store.js';
import type { ChangeOrigin } from '../../storage/registry-storage.js';
import type { V1Deps } from '../deps.js';

/** The PUT body: the JSON string "<id>". */
export function parseTagBody(body: Buffer): string {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new V1Error('INVALID_DATA');
  }
  if (typeof value !== 'string' || !isImageId(value)) throw new V1Error('INVALID_DATA');
  return value;
}

export async function listTags(deps: V1Deps, name: string): Promise<Record<string, string>> {
  if (!(await deps.storage.tags.exists(name))) throw new V1Error('REPOSITORY_NOT_FOUND');
  return deps.storage.tags.list(name);
}

export async function getTag(deps: V1Deps, name: string, tag: string): Promise<string> {
  const id = await deps.storage.tags.resolve(name, tag);
  if (!id) throw new V1Error('TAG_NOT_FOUND');
  return id;
}

export function setTag(deps: V1Deps, grant: V1Grant, name: string, tag: string, id: string, origin: ChangeOrigin): Promise<void> {
  const { images, membership, tags, v2 } = deps.storage;
  return tags.exclusive(name, async () => {
    // Only the repository's own images are tagged (auth/image-access.ts), never an unfinished one.
    const ref = await deps.access.owned(grant, id);
    if (!ref || (await images.state(ref)) !== 'complete') throw new V1Error('IMAGE_NOT_FOUND');
    const ancestry = await images.ancestry(ref);
    if (!ancestry) throw new V1Error('IMAGE_NOT_FOUND');
    const chain = await loadChain(images, ancestry, (ancestor) => deps.access.owned(grant, ancestor));
    await membership.add(name, ancestry);
    const digest = await publishBridge(v2, name, tag, chain, origin);
    await tags.tag(name, tag, id, digest);
  });
}

export function deleteTag(deps: V1Deps, name: string, tag: string, origin: ChangeOrigin): Promise<void> {
  const { tags, v2 } = deps.storage;
  return tags.exclusive(name, async () => {
    if (!(await tags.resolve(name, tag))) throw new V1Error('TAG_NOT_FOUND');
    const bridged = await tags.bridged(name, tag);
    // A v2 push may have moved the tag since; then it is no longer the bridge's to remove.
    if (bridged && (await v2.tags.resolve(name, tag)) === bridged) await v2.tags.untag(name, tag, origin);
    await tags.untag(name, tag);
  });
}
