// The v1 → v2 bridge, stored: when a v1 tag is set, the image's chain becomes a v2 image of the
// same name and tag. The config goes into the blob store, the config and layer blobs (already
// there since PUT checksum) are linked into the repository, and the manifest is put THROUGH the
// registry's manifest store — the same path as a v2 push, so it is validated, notifications fire
// and the index records the push with its digests.
import { digestOf, mediaTypes } from '@wharf/shared';
import type { ChangeOrigin, RegistryStorage } from '../../storage/registry-storage.js';
import { V1Error } from '../errors.js';
import type { ImageRef, ImageStore } from '../storage/image-store.js';
import { synthesizeConfig, synthesizeManifest, type ChainImage } from './synthesize.js';

/**
 * The chain of `ancestry` ([id, parent, …, base]) base first, each id's copy found by `locate`
 * (the tagging repository's own); every image must be there and complete.
 */
export async function loadChain(images: ImageStore, ancestry: readonly string[], locate: (id: string) => Promise<ImageRef | undefined>): Promise<ChainImage[]> {
  const chain: ChainImage[] = [];
  for (const id of [...ancestry].reverse()) {
    const ref = await locate(id);
    if (!ref) throw new V1Error('ANCESTRY_INCOMPLETE');
    const [state, json, layer] = await Promise.all([images.state(ref), images.json(ref), images.layer(ref)]);
    if (state !== 'complete' || !json || !layer) throw new V1Error('ANCESTRY_INCOMPLETE');
    const parsed = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
    chain.push({ json: parsed, layer: { digest: layer.digest, size: layer.size, diffId: layer.diffId, gzip: layer.gzip } });
  }
  return chain;
}

/** Stores the v2 image for `name:tag`; resolves with the manifest's digest. */
export async function publishBridge(v2: RegistryStorage, name: string, tag: string, chain: readonly ChainImage[], origin: ChangeOrigin): Promise<string> {
  const config = synthesizeConfig(chain);
  const configDigest = digestOf(config);
  await v2.blobs.putSmall(configDigest, config);
  await v2.blobs.link(name, configDigest);
  for (const digest of new Set(chain.map((image) => image.layer.digest))) await v2.blobs.link(name, digest);
  const manifest = synthesizeManifest({ digest: configDigest, size: config.length }, chain);
  const result = await v2.manifests.put(name, tag, manifest, mediaTypes.dockerManifest, origin);
  return result.digest;
}
