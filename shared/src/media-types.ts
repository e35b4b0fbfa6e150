// Every media type Wharf names, in one place.

export const mediaTypes = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  // Deprecated by image-spec 1.1 but still written (e.g. Windows base layers converted to OCI).
  ociLayerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  ociLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  ociLayerNondistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  events: 'application/vnd.docker.distribution.events.v1+json',
} as const;

/** Manifest media types a registry accepts on PUT and serves on GET. */
export const manifestMediaTypes: readonly string[] = [
  mediaTypes.dockerManifest,
  mediaTypes.dockerManifestList,
  mediaTypes.ociManifest,
  mediaTypes.ociIndex,
];

export function isManifestMediaType(value: string): boolean {
  return manifestMediaTypes.includes(value);
}

/** The media types that list other manifests rather than layers. */
export function isIndexMediaType(value: string): boolean {
  return value === mediaTypes.ociIndex || value === mediaTypes.dockerManifestList;
}

/** Layers that clients fetch from their `urls` rather than from the registry (Docker foreign
 * layers, OCI non-distributable layers). */
export function isForeignLayerMediaType(value: string): boolean {
  return (
    value === mediaTypes.dockerForeignLayer ||
    value === mediaTypes.ociLayerNondistributable ||
    value === mediaTypes.ociLayerNondistributableGzip ||
    value === mediaTypes.ociLayerNondistributableZstd
  );
}

/**
 * RFC 6838 section 4.2: type "/" subtype, each a restricted-name of 1 to 127 characters that
 * starts with a letter or digit. The OCI descriptor's mediaType MUST conform to it
 * (image-spec descriptor.md), so nothing longer than 255 characters is a media type.
 */
const restrictedName = '[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}';
const mediaTypeGrammar = new RegExp(`^${restrictedName}/${restrictedName}$`);
export const maxMediaTypeLength = 127 + 1 + 127;

/** True for a media type without parameters, as RFC 6838 writes one. */
export function isMediaType(value: string): boolean {
  return value.length <= maxMediaTypeLength && mediaTypeGrammar.test(value);
}

/** Strips parameters (";charset=…") and whitespace from a Content-Type value. */
export function baseMediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}
