// Which stored copy of an image id a grant reaches. v1 ids are not content addresses, so with an
// index each repository keeps its own copy of what was pushed under it (storage/paths.ts, own/);
// images stored before that, and standalone ones, are the one shared copy of their id. Image
// routes name no repository, so the token's repository R stands in:
//   R's token    R's own copy, else the shared copy when it belongs to R (pushed under R or tagged
//                into R: storage/membership.ts). Nothing else — an image another owner uploaded
//                never answers R's existence check nor stands in R's ancestry or tags, so R's push
//                uploads its own bytes (issue #12, image-id squatting).
//   no token     the copy of a public repository that holds the id; when public copies differ
//                (json or layer) the id is ambiguous without a repository and none is served;
//                nor when more than maxPublicHolders repositories hold it (each would be checked).
//   standalone   the shared copy: the registry's own auth admitted the request (one tenant).
import type { ImageStore } from '../storage/image-store.js';
import type { Membership } from '../storage/membership.js';
import type { ImageRef } from '../storage/paths.js';
import type { V1Grant } from './authorizer.js';

export interface ImageAccess {
  /** The copy the grant reads, or undefined when it reaches none. */
  reach(grant: V1Grant, id: string): Promise<ImageRef | undefined>;
  /** The grant's own copy, when it has one (only its own may be written, tagged or built on). */
  owned(grant: V1Grant, id: string): Promise<ImageRef | undefined>;
  /** Where a new image of the grant goes. */
  fresh(grant: V1Grant, id: string): ImageRef;
}

export function imageAccess(images: ImageStore, membership: Membership, isPublic: (name: string) => Promise<boolean>, maxPublicHolders: number): ImageAccess {
  const ownedBy = async (name: string, id: string): Promise<ImageRef | undefined> => {
    const own = { id, owner: name };
    if ((await images.state(own)) !== 'absent') return own;
    const shared = { id };
    if ((await images.state(shared)) !== 'absent' && (await membership.has(name, id))) return shared;
    return undefined;
  };

  const sameImage = async (a: ImageRef, b: ImageRef): Promise<boolean> => {
    const [jsonA, jsonB, layerA, layerB] = await Promise.all([images.json(a), images.json(b), images.layer(a), images.layer(b)]);
    return !!jsonA && !!jsonB && jsonA.equals(jsonB) && layerA?.digest === layerB?.digest;
  };

  const publicCopy = async (id: string): Promise<ImageRef | undefined> => {
    const holders = await membership.repositoriesOf(id, maxPublicHolders + 1);
    if (holders.length > maxPublicHolders) return undefined;
    const copies: ImageRef[] = [];
    for (const name of holders) {
      const ref = (await isPublic(name)) ? await ownedBy(name, id) : undefined;
      if (ref && !copies.some((c) => c.owner === ref.owner)) copies.push(ref);
    }
    const complete: ImageRef[] = [];
    for (const ref of copies) if ((await images.state(ref)) === 'complete') complete.push(ref);
    const [first, ...others] = complete.length ? complete : copies;
    if (!first) return undefined;
    for (const other of others) if (!(await sameImage(first, other))) return undefined;
    return first;
  };

  const owned = async (grant: V1Grant, id: string): Promise<ImageRef | undefined> => {
    if (grant.trusted) return { id };
    return grant.repository === undefined ? undefined : ownedBy(grant.repository, id);
  };

  return {
    owned,
    async reach(grant, id) {
      if (grant.trusted || grant.repository !== undefined) return owned(grant, id);
      return publicCopy(id);
    },
    fresh(grant, id) {
      if (grant.trusted) return { id };
      if (grant.repository === undefined) throw new Error('an image is written under a repository');
      return { id, owner: grant.repository };
    },
  };
}
