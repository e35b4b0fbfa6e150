// The v1 stores over the registry's (checked) driver, next to the v2 stores they share blobs,
// manifests and tags with. The v2 stores are the (possibly notifying) ones the v2 routes use, so
// a manifest the bridge stores is reported like any pushed one.
import type { RegistryStorage } from '../../storage/registry-storage.js';
import { ImageStore } from './image-store.js';
import type { LayerLimits } from './layer-digests.js';
import { Membership } from './membership.js';
import { V1TagStore } from './tag-store.js';

export interface V1Storage {
  images: ImageStore;
  membership: Membership;
  tags: V1TagStore;
  /** The v2 side: blobs (layers live there), manifests and tags (the bridge writes there). */
  v2: RegistryStorage;
}

export function createV1Storage(v2: RegistryStorage, layerLimits: LayerLimits): V1Storage {
  return {
    images: new ImageStore(v2.driver, v2.blobs, layerLimits),
    membership: new Membership(v2.driver),
    tags: new V1TagStore(v2.driver),
    v2,
  };
}
