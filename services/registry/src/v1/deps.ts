// What the v1 image and repository operations work with: the v1 stores (over the v2 ones) and
// the rule of which image a grant may touch.
import type { ByteBudget } from '@wharf/shared';
import type { ImageAccess } from './auth/image-access.js';
import type { V1Storage } from './storage/v1-storage.js';

export interface V1Deps {
  storage: V1Storage;
  access: ImageAccess;
  /** The process's budget of request bodies read whole. */
  bodyBudget: ByteBudget;
}
