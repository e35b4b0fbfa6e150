// Manifests a hostile tenant pushes: within the size limit but costly to check (one layer
// listed 25,000 times, megabyte media types), or just over the limit. Built as strings around
// a salt, so every push is a new digest and no cache answers it. Shared by the soak test and
// the bench's "under attack" workload.
import { mediaTypes } from './images.js';

export interface Descriptor {
  digest: string;
  size: number;
}

const layerOf = (d: Descriptor, mediaType: string = mediaTypes.ociLayerGzip) => ({ mediaType, digest: d.digest, size: d.size });

/** An OCI image manifest (config + layers) with an annotation carrying the salt. */
export function imageManifest(config: Descriptor, layers: Descriptor[], salt: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: mediaTypes.ociManifest,
      config: { mediaType: mediaTypes.ociConfig, digest: config.digest, size: config.size },
      layers: layers.map((l) => layerOf(l)),
      annotations: { 'wharf.test.salt': salt },
    }),
  );
}

/** A manifest listing the same layer `count` times (25,000 fit under 4 MiB). */
export function fanOutManifest(config: Descriptor, layer: Descriptor, count: number, salt: string): Buffer {
  const head = imageManifest(config, [], salt).toString('utf8');
  const one = JSON.stringify(layerOf(layer));
  // Splice the repeated layer into the (empty) layers array of the plain manifest.
  return Buffer.from(head.replace('"layers":[]', `"layers":[${Array(count).fill(one).join(',')}]`));
}

/** A manifest whose config and layer media types are `bytes` long each. */
export function hugeMediaTypeManifest(config: Descriptor, layer: Descriptor, bytes: number, salt: string): Buffer {
  const huge = `application/vnd.${'x'.repeat(Math.max(0, bytes - 20))}+json`;
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: mediaTypes.ociManifest,
      artifactType: huge,
      config: { mediaType: huge, digest: config.digest, size: config.size },
      layers: [layerOf(layer, huge)],
      annotations: { 'wharf.test.salt': salt },
    }),
  );
}

/** A well-formed manifest of `bytes` bytes (padded with an annotation): over a limit of bytes - 1. */
export function paddedManifest(config: Descriptor, layer: Descriptor, bytes: number, salt: string): Buffer {
  const base = imageManifest(config, [layer], salt).toString('utf8');
  const pad = Math.max(0, bytes - base.length - ',"wharf.test.pad":""'.length);
  return Buffer.from(base.replace('"annotations":{', `"annotations":{"wharf.test.pad":"${'p'.repeat(pad)}",`));
}
