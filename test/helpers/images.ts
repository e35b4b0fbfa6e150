// Builds test images from scratch, with no registry or hub: layer tarballs, an OCI image layout
// (single image or a multi-platform index) and a `docker save`-style archive for `docker load`.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const mediaTypes = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export const sha256 = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** A ustar archive of regular files (enough for image layers). */
export function tarOf(files: { name: string; content: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  for (const file of files) {
    const header = Buffer.alloc(512);
    header.write(file.name, 0, 100, 'utf8');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(file.content.length.toString(8).padStart(11, '0') + '\0', 124);
    header.write('14000000000\0', 136); // a fixed mtime keeps layers reproducible
    header.write('        ', 148); // checksum placeholder
    header.write('0', 156);
    header.write('ustar\0', 257);
    header.write('00', 263);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    parts.push(header, file.content, Buffer.alloc((512 - (file.content.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export interface Layer {
  /** The uncompressed tar (its digest is the diff id). */
  tar: Buffer;
  diffId: string;
  gzip: Buffer;
  digest: string;
}

/** n layers, each with a random payload of kib KiB so every run's blobs are new. */
export function makeLayers(n: number, label: string, kib = 32): Layer[] {
  return Array.from({ length: n }, (_, i) => {
    const tar = tarOf([
      { name: `layer${i}/label.txt`, content: Buffer.from(`${label} layer ${i}\n`) },
      { name: `layer${i}/payload.bin`, content: randomBytes(kib * 1024) },
    ]);
    const gzip = gzipSync(tar);
    return { tar, diffId: sha256(tar), gzip, digest: sha256(gzip) };
  });
}

export function hostArchitecture(): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[process.arch] ?? process.arch;
}

export function imageConfig(layers: Layer[], architecture: string, label: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture,
      os: 'linux',
      created: '2024-01-01T00:00:00Z',
      config: { Labels: { 'wharf.test': label }, Cmd: ['/bin/true'] },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map((_, i) => ({ created: '2024-01-01T00:00:00Z', created_by: `wharf-test layer ${i}` })),
    }),
  );
}

export interface BuiltImage {
  layers: Layer[];
  config: Buffer;
  configDigest: string;
  manifest: Buffer;
  manifestDigest: string;
}

/** An OCI image manifest over gzip layers. */
export function buildOciImage(layerCount: number, label: string, architecture = hostArchitecture()): BuiltImage {
  const layers = makeLayers(layerCount, `${label}/${architecture}`);
  return ociImageOf(layers, imageConfig(layers, architecture, label));
}

/** The OCI image manifest of these gzip layers and this config. */
export function ociImageOf(layers: Layer[], config: Buffer): BuiltImage {
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: mediaTypes.ociManifest,
      config: { mediaType: mediaTypes.ociConfig, digest: sha256(config), size: config.length },
      layers: layers.map((l) => ({ mediaType: mediaTypes.ociLayerGzip, digest: l.digest, size: l.gzip.length })),
    }),
  );
  return { layers, config, configDigest: sha256(config), manifest, manifestDigest: sha256(manifest) };
}

export interface BuiltIndex {
  images: { platform: { architecture: string; os: string }; image: BuiltImage }[];
  index: Buffer;
  indexDigest: string;
}

/** An OCI image index of one image per architecture (linux). */
export function buildOciIndex(label: string, architectures = ['amd64', 'arm64'], layerCount = 2): BuiltIndex {
  const images = architectures.map((architecture) => ({
    platform: { architecture, os: 'linux' },
    image: buildOciImage(layerCount, label, architecture),
  }));
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: mediaTypes.ociIndex,
      manifests: images.map(({ platform, image }) => ({
        mediaType: mediaTypes.ociManifest,
        digest: image.manifestDigest,
        size: image.manifest.length,
        platform,
      })),
    }),
  );
  return { images, index, indexDigest: sha256(index) };
}

async function writeBlob(layoutDir: string, data: Buffer): Promise<void> {
  const hex = sha256(data).slice('sha256:'.length);
  await mkdir(join(layoutDir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(layoutDir, 'blobs', 'sha256', hex), data);
}

/**
 * Writes an OCI image layout at dir whose index.json names the image (or index) `tag`, so
 * skopeo can read it as `oci:DIR:TAG`.
 */
export async function writeOciLayout(dir: string, tag: string, content: BuiltImage | BuiltIndex): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const images = 'index' in content ? content.images.map((i) => i.image) : [content];
  for (const image of images) {
    for (const layer of image.layers) await writeBlob(dir, layer.gzip);
    await writeBlob(dir, image.config);
    await writeBlob(dir, image.manifest);
  }
  const top =
    'index' in content
      ? { mediaType: mediaTypes.ociIndex, digest: content.indexDigest, size: content.index.length }
      : { mediaType: mediaTypes.ociManifest, digest: content.manifestDigest, size: content.manifest.length };
  if ('index' in content) await writeBlob(dir, content.index);
  const index = {
    schemaVersion: 2,
    mediaType: mediaTypes.ociIndex,
    manifests: [{ ...top, annotations: { 'org.opencontainers.image.ref.name': tag } }],
  };
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
}

/**
 * A `docker save`-format tarball (manifest.json, config, uncompressed layer tars) for
 * `docker load` or skopeo's docker-archive transport. Returns the image id (config digest).
 */
export function dockerArchive(repoTag: string, layers: Layer[], label: string): { archive: Buffer; imageId: string } {
  const config = imageConfig(layers, hostArchitecture(), label);
  const configHex = sha256(config).slice('sha256:'.length);
  const layerPaths = layers.map((l) => `${l.diffId.slice('sha256:'.length)}/layer.tar`);
  const manifest = [{ Config: `${configHex}.json`, RepoTags: [repoTag], Layers: layerPaths }];
  const archive = tarOf([
    { name: `${configHex}.json`, content: config },
    ...layers.map((l, i) => ({ name: layerPaths[i]!, content: l.tar })),
    { name: 'manifest.json', content: Buffer.from(JSON.stringify(manifest)) },
  ]);
  return { archive, imageId: sha256(config) };
}
