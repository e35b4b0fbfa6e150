// The v1 → v2 bridge, as pure functions: from a tagged image's ancestry (base first) build the
// image config (image spec v1.2) and the Docker schema 2 manifest that a v2 client pulls.
//
// The config follows what Docker itself does when it turns v1 metadata into a config (moby's
// image/v1 MakeConfigFromV1Config and HistoryFromConfig): the top image's v1 JSON without its
// v1-only keys, plus rootfs (one diff_id per ancestor, base first) and history (one entry per
// ancestor, base first, created_by = container_config.Cmd joined by spaces). Every v1 image has
// a layer, so no history entry is an empty_layer and history and diff_ids pair up one to one.
// Top-level keys are sorted, as Go writes a map, so the same image always gives the same bytes —
// re-tagging is idempotent and the manifest digest is stable.
import { mediaTypes, type Descriptor } from '@wharf/shared';

export interface ChainLayer {
  digest: string;
  size: number;
  diffId: string;
  gzip: boolean;
}

export interface ChainImage {
  /** The image's v1 JSON, parsed. */
  json: Record<string, unknown>;
  layer: ChainLayer;
}

/** Keys of v1 JSON that describe the v1 graph, not the image (moby drops the same ones). */
const v1OnlyKeys = ['id', 'parent', 'Size', 'parent_id', 'layer_id', 'throwaway'];

/** Go's zero time: what Docker writes for a history entry whose image has no `created`. */
const zeroTime = '0001-01-01T00:00:00Z';

/** Schema 2's uncompressed layer type (kept here: shared/media-types.ts is not this module's). */
export const dockerUncompressedLayer = 'application/vnd.docker.image.rootfs.diff.tar';

/**
 * The layer's media type. A gzip layer is `…rootfs.diff.tar.gzip`. A plain tar layer is labelled
 * `…rootfs.diff.tar`, schema 2's uncompressed layer type, rather than `.tar.gzip`: docker and
 * containerd happen to sniff the compression and would unpack a plain tar under either label, but
 * containers/image (skopeo, podman) and other strict clients trust the label, and a manifest must
 * say what the bytes are.
 */
export function layerMediaType(gzip: boolean): string {
  return gzip ? mediaTypes.dockerLayer : dockerUncompressedLayer;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function historyEntry(json: Record<string, unknown>): Record<string, unknown> {
  const containerConfig = json.container_config as { Cmd?: unknown } | null | undefined;
  const cmd = Array.isArray(containerConfig?.Cmd) ? containerConfig.Cmd.filter((c): c is string => typeof c === 'string') : [];
  const entry: Record<string, unknown> = { created: text(json.created) ?? zeroTime };
  const author = text(json.author);
  if (author) entry.author = author;
  if (cmd.length) entry.created_by = cmd.join(' ');
  const comment = text(json.comment);
  if (comment) entry.comment = comment;
  return entry;
}

/** The image config of the top of `chain` (base first). */
export function synthesizeConfig(chain: readonly ChainImage[]): Buffer {
  const top = chain[chain.length - 1];
  if (!top) throw new Error('an image chain has at least one image');
  const config: Record<string, unknown> = { ...top.json };
  for (const key of v1OnlyKeys) delete config[key];
  // Docker 1.x images carry both; defaulting them gives clients that match a config's platform
  // something to match rather than an empty field.
  config.architecture = text(config.architecture) ?? 'amd64';
  config.os = text(config.os) ?? 'linux';
  config.rootfs = { type: 'layers', diff_ids: chain.map((image) => image.layer.diffId) };
  config.history = chain.map((image) => historyEntry(image.json));
  const sorted = Object.fromEntries(Object.entries(config).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return Buffer.from(JSON.stringify(sorted));
}

/** The schema 2 manifest over a stored config and the chain's layers, base first. */
export function synthesizeManifest(config: { digest: string; size: number }, chain: readonly ChainImage[]): Buffer {
  const layers: Descriptor[] = chain.map((image) => ({
    mediaType: layerMediaType(image.layer.gzip),
    size: image.layer.size,
    digest: image.layer.digest,
  }));
  const manifest = {
    schemaVersion: 2,
    mediaType: mediaTypes.dockerManifest,
    config: { mediaType: mediaTypes.dockerConfig, size: config.size, digest: config.digest },
    layers,
  };
  // Three-space indentation, as Distribution's schema2 marshalling writes it.
  return Buffer.from(JSON.stringify(manifest, null, 3));
}
