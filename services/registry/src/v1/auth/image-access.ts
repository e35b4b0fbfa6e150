// Who may touch a single image. Image routes name no repository, so the token's repository R
// stands in: R's token may read an image that belongs to R (pushed under R, or reachable from R's
// tags: storage/membership.ts), and anyone may read an image that belongs to a public repository.
// A token for A therefore never reads an image that only private B holds, even knowing its id.
// Writing (layer, checksum, replacing an unfinished JSON) needs the image to have been pushed
// under R. Standalone grants are trusted: the registry's own auth already admitted the request.
import type { Membership } from '../storage/membership.js';
import type { V1Grant } from './authorizer.js';

export interface ImageAccess {
  mayRead(grant: V1Grant, id: string): Promise<boolean>;
  /** Whether the image belongs to the grant's repository (for writes). */
  belongs(grant: V1Grant, id: string): Promise<boolean>;
}

export function imageAccess(membership: Membership, isPublic: (name: string) => Promise<boolean>): ImageAccess {
  const belongs = async (grant: V1Grant, id: string): Promise<boolean> =>
    grant.trusted || (grant.repository !== undefined && (await membership.has(grant.repository, id)));
  return {
    belongs,
    async mayRead(grant, id) {
      if (await belongs(grant, id)) return true;
      for (const name of await membership.repositoriesOf(id)) {
        if (await isPublic(name)) return true;
      }
      return false;
    },
  };
}
