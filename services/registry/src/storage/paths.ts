// The one map of the storage layout. It is CNCF Distribution's, so either can serve a tree the
// other wrote:
//
//   /docker/registry/v2/
//     blobs/<alg>/<first 2 hex>/<hex>/data                    content, shared by all repositories
//     blobs/<alg>/<first 2 hex>/<hex>/_claimed, _collecting   garbage collection's handshake (Wharf's)
//     repositories/<name>/
//       _layers/<alg>/<hex>/link                              blob linked into the repository
//       _manifests/revisions/<alg>/<hex>/link                 manifest revision in the repository
//       _manifests/tags/<tag>/current/link                    the digest a tag points to now
//       _manifests/tags/<tag>/index/<alg>/<hex>/link          every digest the tag has pointed to
//       _uploads/<uuid>/data                                  bytes of an upload in progress
//       _uploads/<uuid>/startedat                             RFC 3339 start time
//       _uploads/<uuid>/hashstates/<alg>/<offset>             (Distribution's; unused by Wharf)
//       _referrers/<alg>/<subject hex>/<alg>/<hex>/link       Wharf's referrers index (Distribution
//                                                             skips '_' directories it does not know)
//
// Link files hold the digest string with no newline. Names and digests are validated before they
// reach these functions.
import { parseDigest } from '@wharf/shared';

export const rootPath = '/docker/registry/v2';
export const repositoriesRoot = `${rootPath}/repositories`;

function split(digest: string): [string, string] {
  const { algorithm, encoded } = parseDigest(digest);
  return [algorithm, encoded];
}

export function blobDataPath(digest: string): string {
  const [alg, hex] = split(digest);
  return `${rootPath}/blobs/${alg}/${hex.slice(0, 2)}/${hex}/data`;
}

export function blobDirPath(digest: string): string {
  const [alg, hex] = split(digest);
  return `${rootPath}/blobs/${alg}/${hex.slice(0, 2)}/${hex}`;
}

export function repositoryPath(name: string): string {
  return `${repositoriesRoot}/${name}`;
}

export function layersPath(name: string): string {
  return `${repositoryPath(name)}/_layers`;
}

export function layerLinkPath(name: string, digest: string): string {
  const [alg, hex] = split(digest);
  return `${repositoryPath(name)}/_layers/${alg}/${hex}/link`;
}

export function manifestsPath(name: string): string {
  return `${repositoryPath(name)}/_manifests`;
}

export function manifestRevisionLinkPath(name: string, digest: string): string {
  const [alg, hex] = split(digest);
  return `${manifestsPath(name)}/revisions/${alg}/${hex}/link`;
}

export function manifestRevisionsPath(name: string): string {
  return `${manifestsPath(name)}/revisions`;
}

export function tagsPath(name: string): string {
  return `${manifestsPath(name)}/tags`;
}

export function tagPath(name: string, tag: string): string {
  return `${tagsPath(name)}/${tag}`;
}

export function tagCurrentLinkPath(name: string, tag: string): string {
  return `${tagPath(name, tag)}/current/link`;
}

export function tagIndexLinkPath(name: string, tag: string, digest: string): string {
  const [alg, hex] = split(digest);
  return `${tagPath(name, tag)}/index/${alg}/${hex}/link`;
}

export function uploadsPath(name: string): string {
  return `${repositoryPath(name)}/_uploads`;
}

export function uploadDataPath(name: string, uuid: string): string {
  return `${uploadsPath(name)}/${uuid}/data`;
}

export function uploadStartedAtPath(name: string, uuid: string): string {
  return `${uploadsPath(name)}/${uuid}/startedat`;
}

export function uploadDirPath(name: string, uuid: string): string {
  return `${uploadsPath(name)}/${uuid}`;
}

export function referrersPath(name: string, subject: string): string {
  const [alg, hex] = split(subject);
  return `${repositoryPath(name)}/_referrers/${alg}/${hex}`;
}

export function referrerLinkPath(name: string, subject: string, referrer: string): string {
  const [alg, hex] = split(referrer);
  return `${referrersPath(name, subject)}/${alg}/${hex}/link`;
}

// Wharf's durable notification queues, outside Distribution's tree (Distribution never looks
// there; see notifications/queue.ts):
//
//   /wharf/notifications/<endpoint>/queue/<entry>     events not yet delivered, in name order
//   /wharf/notifications/<endpoint>/lease             which instance delivers to the endpoint now
//   /wharf/notifications/<endpoint>/corrupt/<entry>   entries that could not be read, set aside
export const notificationsRoot = '/wharf/notifications';

/**
 * An endpoint name as one path segment: letters, digits and '-' stay, every other character
 * becomes '.' and two hex digits per UTF-8 byte, so two names never share a directory.
 */
export function notificationEndpointPath(endpoint: string): string {
  const segment = [...Buffer.from(endpoint, 'utf8')]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9-]/.test(char) ? char : `.${byte.toString(16).padStart(2, '0')}`;
    })
    .join('');
  return `${notificationsRoot}/${segment}`;
}

// Garbage-collection markers beside a blob's data (gc/collector.ts has the protocol). Distribution
// reads only `data` in a blob directory, so it ignores them.

/** Rewritten whenever a new reference to the blob is about to be made: its modTime is the claim. */
export function blobClaimPath(digest: string): string {
  return `${blobDirPath(digest)}/_claimed`;
}

/** Present while a collector decides whether to delete the blob. */
export function blobCollectingPath(digest: string): string {
  return `${blobDirPath(digest)}/_collecting`;
}

export const blobsRoot = `${rootPath}/blobs`;

// Wharf's catalog index lives beside Distribution's tree, never inside it: Distribution reads
// only blobs/ and repositories/, so it ignores _wharf/ and either program can serve the other's
// storage. One marker per repository, the name's '/' written as ':' (never in a name), so the
// whole catalog is one flat list.
export const catalogIndexPath = `${rootPath}/_wharf/catalog`;
/** Says which version of the index is complete; missing or older means "rebuild from the tree". */
export const catalogIndexStatePath = `${rootPath}/_wharf/catalog-index.json`;

export function catalogMarkerPath(name: string): string {
  return `${catalogIndexPath}/${name.replaceAll('/', ':')}`;
}

export function repositoryOfCatalogMarker(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1).replaceAll(':', '/');
}
