// The soak test's request mix: operations drawn with a seeded PRNG, each one or a few v2
// requests. Valid ones (pushes monolithic and chunked, mounts, pulls, ranges, HEADs, listings,
// deletes) check their answers; malformed ones (bad names, digests, references, content types,
// JSON, missing blobs, oversized and fan-out manifests, bad Content-Range, upload races, bad
// tokens) only need an answer below 500. Each worker writes to its own repository, so a valid
// operation's expected answer never depends on another worker; races are made on purpose
// inside one operation, or in the shared race repository.
import { fanOutManifest, hugeMediaTypeManifest, imageManifest, paddedManifest, type Descriptor } from './hostile-manifests.js';
import { mediaTypes, sha256 } from './images.js';
import type { Random } from './prng.js';
import type { SoakAnswer, SoakClient, SoakRequest } from './soak-client.js';

/** The image pushed before the run; the mix only reads it. */
export interface PinnedImage {
  repo: string;
  tag: string;
  manifest: Buffer;
  manifestDigest: string;
  config: Descriptor;
  layers: (Descriptor & { content: Buffer })[];
}

export interface SoakTokens {
  /** pull on the pinned repository, push/pull/delete on the worker and race repositories, catalog. */
  full: string;
  /** pull on the pinned repository only. */
  readOnly: string;
}

export interface SoakWorker {
  client: SoakClient;
  rng: Random;
  /** This worker's own repository (soak/w<i>). */
  repo: string;
  /** Written by every worker at once. */
  raceRepo: string;
  pinned: PinnedImage;
  tokens: SoakTokens;
  maxManifestBytes: number;
  /** Distinguishes this worker's salts from the others'. */
  id: number;
  /** Counts this worker's operations, for unique salts. */
  serial: number;
}

type Op = (w: SoakWorker) => Promise<void>;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const manifestAccept = [mediaTypes.ociManifest, mediaTypes.ociIndex, 'application/vnd.docker.distribution.manifest.v2+json'].join(', ');

/** path + query of a Location header (absolute or not). */
function locationOf(answer: SoakAnswer | undefined): string | undefined {
  const location = answer?.headers.location;
  if (!location) return undefined;
  const url = new URL(location, 'http://registry');
  return url.pathname + url.search;
}

function withDigest(location: string, digest: string): string {
  return `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
}

function send(w: SoakWorker, what: string, req: SoakRequest, token: string | undefined = w.tokens.full): Promise<SoakAnswer | undefined> {
  return w.client.send({ ...req, headers: { ...(token ? bearer(token) : {}), ...req.headers } }, what);
}

const salt = (w: SoakWorker) => `w${w.id}-${w.serial}-${w.rng.int(1e9)}`;
const octet = { 'content-type': 'application/octet-stream' };

async function pushBlobMonolithic(w: SoakWorker, repo: string, content: Buffer, what: string, check = true): Promise<SoakAnswer | undefined> {
  const answer = await send(w, what, { method: 'POST', path: `/v2/${repo}/blobs/uploads/?digest=${sha256(content)}`, headers: octet, body: content });
  if (check) w.client.expect(answer, [201], what);
  return answer;
}

/** Starts an upload; its Location, or undefined (noted as unexpected) when the POST failed. */
async function startUpload(w: SoakWorker, repo: string, what: string): Promise<string | undefined> {
  const started = await send(w, what, { method: 'POST', path: `/v2/${repo}/blobs/uploads/` });
  if (!w.client.expect(started, [202], `${what}: POST`)) return undefined;
  const location = locationOf(started);
  if (!location) w.client.unexpected(`${what}: POST 202 without Location`);
  return location;
}

function patch(w: SoakWorker, location: string, chunk: Buffer, range: string | undefined, what: string) {
  const headers: Record<string, string> = { ...octet };
  if (range !== undefined) headers['content-range'] = range;
  return send(w, what, { method: 'PATCH', path: location, headers, body: chunk });
}

/** Mounts the pinned image's blobs into the worker's repository (a valid cross-repository mount). */
async function mountPinned(w: SoakWorker, digest: string): Promise<void> {
  const answer = await send(w, 'mount', { method: 'POST', path: `/v2/${w.repo}/blobs/uploads/?mount=${digest}&from=${w.pinned.repo}` });
  w.client.expect(answer, [201], `mount ${digest} from ${w.pinned.repo}`);
}

// ---------------------------------------------------------------------------------------------
// Valid operations

const blobMonolithic: Op = async (w) => {
  await pushBlobMonolithic(w, w.repo, w.rng.bytes(1 + w.rng.int(16 * 1024)), 'monolithic blob push');
};

const blobChunked: Op = async (w) => {
  const content = w.rng.bytes(2 + w.rng.int(64 * 1024));
  const location = await startUpload(w, w.repo, 'chunked push');
  if (!location) return;
  const cut = 1 + w.rng.int(content.length - 1);
  const first = await patch(w, location, content.subarray(0, cut), `0-${cut - 1}`, 'chunked push: PATCH 1');
  if (!w.client.expect(first, [202], 'chunked push: PATCH 1')) return;
  const second = await patch(w, locationOf(first) ?? location, content.subarray(cut), `${cut}-${content.length - 1}`, 'chunked push: PATCH 2');
  if (!w.client.expect(second, [202], 'chunked push: PATCH 2')) return;
  const digest = sha256(content);
  const put = await send(w, 'chunked push: PUT', { method: 'PUT', path: withDigest(locationOf(second) ?? location, digest) });
  if (!w.client.expect(put, [201], 'chunked push: PUT')) return;
  const head = await send(w, 'HEAD pushed blob', { method: 'HEAD', path: `/v2/${w.repo}/blobs/${digest}` });
  if (w.client.expect(head, [200], 'HEAD pushed blob') && Number(head.headers['content-length']) !== content.length) {
    w.client.unexpected(`HEAD pushed blob: Content-Length ${String(head.headers['content-length'])}, expected ${content.length}`);
  }
};

const imagePush: Op = async (w) => {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, salt: salt(w) }));
  const layer = w.rng.bytes(1 + w.rng.int(32 * 1024));
  if (!w.client.expect(await pushBlobMonolithic(w, w.repo, config, 'image push: config', false), [201], 'image push: config')) return;
  if (!w.client.expect(await pushBlobMonolithic(w, w.repo, layer, 'image push: layer', false), [201], 'image push: layer')) return;
  const manifest = imageManifest({ digest: sha256(config), size: config.length }, [{ digest: sha256(layer), size: layer.length }], salt(w));
  const tag = `t${w.rng.int(50)}`;
  const put = await send(w, 'image push: manifest', { method: 'PUT', path: `/v2/${w.repo}/manifests/${tag}`, headers: { 'content-type': mediaTypes.ociManifest }, body: manifest });
  if (!w.client.expect(put, [201], 'image push: manifest')) return;
  const get = await send(w, 'GET pushed manifest', { method: 'GET', path: `/v2/${w.repo}/manifests/${sha256(manifest)}`, headers: { accept: manifestAccept } });
  if (w.client.expect(get, [200], 'GET pushed manifest by digest') && !get.body.equals(manifest)) w.client.unexpected('GET pushed manifest by digest: other bytes than pushed');
};

const pullPinnedManifest: Op = async (w) => {
  const { pinned } = w;
  const reference = w.rng.next() < 0.5 ? pinned.tag : pinned.manifestDigest;
  const get = await send(w, 'GET pinned manifest', { method: 'GET', path: `/v2/${pinned.repo}/manifests/${reference}`, headers: { accept: manifestAccept } }, w.rng.next() < 0.5 ? w.tokens.readOnly : w.tokens.full);
  if (w.client.expect(get, [200], `GET pinned manifest ${reference}`) && !get.body.equals(pinned.manifest)) w.client.unexpected('GET pinned manifest: other bytes than pushed');
};

const pullPinnedBlob: Op = async (w) => {
  const layer = w.rng.pick(w.pinned.layers);
  const path = `/v2/${w.pinned.repo}/blobs/${layer.digest}`;
  if (w.rng.next() < 0.5) {
    const get = await send(w, 'GET pinned blob', { method: 'GET', path });
    if (w.client.expect(get, [200], 'GET pinned blob') && sha256(get.body) !== layer.digest) w.client.unexpected('GET pinned blob: digest differs');
    return;
  }
  const start = w.rng.int(layer.size);
  const end = Math.min(layer.size - 1, start + w.rng.int(4096));
  const ranged = await send(w, 'GET pinned blob range', { method: 'GET', path, headers: { range: `bytes=${start}-${end}` } });
  if (w.client.expect(ranged, [206], `GET pinned blob bytes=${start}-${end}`) && !ranged.body.equals(layer.content.subarray(start, end + 1))) {
    w.client.unexpected(`GET pinned blob bytes=${start}-${end}: other bytes`);
  }
};

const heads: Op = async (w) => {
  const { pinned } = w;
  const manifest = await send(w, 'HEAD pinned manifest', { method: 'HEAD', path: `/v2/${pinned.repo}/manifests/${pinned.tag}`, headers: { accept: manifestAccept } });
  w.client.expect(manifest, [200], 'HEAD pinned manifest');
  const blob = await send(w, 'HEAD pinned blob', { method: 'HEAD', path: `/v2/${pinned.repo}/blobs/${w.rng.pick(pinned.layers).digest}` });
  w.client.expect(blob, [200], 'HEAD pinned blob');
  const missing = await send(w, 'HEAD missing blob', { method: 'HEAD', path: `/v2/${w.repo}/blobs/${sha256(salt(w))}` });
  w.client.expect(missing, [404], 'HEAD missing blob');
};

const listings: Op = async (w) => {
  const tags = await send(w, 'tags/list', { method: 'GET', path: `/v2/${w.pinned.repo}/tags/list?n=${1 + w.rng.int(3)}` });
  w.client.expect(tags, [200], 'GET pinned tags/list');
  const catalog = await send(w, 'catalog', { method: 'GET', path: `/v2/_catalog?n=${1 + w.rng.int(5)}${w.rng.next() < 0.5 ? '&last=soak/w3' : ''}` });
  w.client.expect(catalog, [200], 'GET _catalog');
  const referrers = await send(w, 'referrers', { method: 'GET', path: `/v2/${w.pinned.repo}/referrers/${w.pinned.manifestDigest}` });
  w.client.expect(referrers, [200], 'GET pinned referrers');
};

const deleteCycle: Op = async (w) => {
  const { pinned } = w;
  await mountPinned(w, pinned.config.digest);
  await mountPinned(w, pinned.layers[0]!.digest);
  const manifest = imageManifest(pinned.config, [pinned.layers[0]!], salt(w));
  const digest = sha256(manifest);
  const put = await send(w, 'delete cycle: PUT', { method: 'PUT', path: `/v2/${w.repo}/manifests/${digest}`, headers: { 'content-type': mediaTypes.ociManifest }, body: manifest });
  if (!w.client.expect(put, [201], 'delete cycle: PUT manifest by digest')) return;
  w.client.expect(await send(w, 'delete cycle: DELETE', { method: 'DELETE', path: `/v2/${w.repo}/manifests/${digest}` }), [202], 'DELETE manifest');
  w.client.expect(await send(w, 'delete cycle: GET', { method: 'GET', path: `/v2/${w.repo}/manifests/${digest}`, headers: { accept: manifestAccept } }), [404], 'GET deleted manifest');
  const blob = w.rng.bytes(100 + w.rng.int(1000));
  if (w.client.expect(await pushBlobMonolithic(w, w.repo, blob, 'delete cycle: blob', false), [201], 'delete cycle: blob push')) {
    w.client.expect(await send(w, 'delete cycle: DELETE blob', { method: 'DELETE', path: `/v2/${w.repo}/blobs/${sha256(blob)}` }), [202], 'DELETE blob');
  }
};

// ---------------------------------------------------------------------------------------------
// Malformed and hostile operations: any answer below 500 will do

/** Sends without checking the answer; `token` null sends no Authorization, undefined the full token. */
const any = async (w: SoakWorker, what: string, req: SoakRequest, token?: string | null): Promise<void> => {
  await send(w, what, req, token === null ? undefined : (token ?? w.tokens.full));
};

const badNames: Op = (w) => {
  const names = ['Soak/Upper', 'soak/../../etc/passwd', 'soak/./w0', 'soak//double', '-soak/x', 'soak/w0%2F..%2Fpinned', 'a'.repeat(300), `${'ab/'.repeat(1500)}x`, 'soak/w0/%00', 'soak/%C3%BC'];
  const name = w.rng.pick(names);
  const tail = w.rng.pick(['manifests/latest', 'tags/list', `blobs/${w.pinned.config.digest}`, 'blobs/uploads/', `referrers/${w.pinned.manifestDigest}`]);
  return any(w, 'bad name', { method: tail === 'blobs/uploads/' ? 'POST' : 'GET', path: `/v2/${name}/${tail}` });
};

const badDigests: Op = (w) => {
  const digests = ['sha256:xyz', `sha256:${'a'.repeat(63)}`, `sha256:${'A'.repeat(64)}`, 'sha512:short', 'md5:abc', 'sha256', `sha256:${'0'.repeat(64)}/../x`, `${'x'.repeat(2000)}:${'0'.repeat(64)}`];
  const digest = w.rng.pick(digests);
  const kind = w.rng.int(4);
  if (kind === 0) return any(w, 'bad digest', { method: 'GET', path: `/v2/${w.pinned.repo}/blobs/${digest}` });
  if (kind === 1) return any(w, 'bad digest', { method: 'GET', path: `/v2/${w.pinned.repo}/manifests/${digest}`, headers: { accept: manifestAccept } });
  if (kind === 2) return any(w, 'bad digest', { method: 'POST', path: `/v2/${w.repo}/blobs/uploads/?digest=${encodeURIComponent(digest)}`, headers: octet, body: Buffer.from('x') });
  // The right bytes under the wrong digest.
  return any(w, 'mismatched digest', { method: 'POST', path: `/v2/${w.repo}/blobs/uploads/?digest=${sha256('other')}`, headers: octet, body: w.rng.bytes(64) });
};

const badReferences: Op = (w) => {
  const reference = w.rng.pick(['-bad', 'a'.repeat(200), 'tag:colon', '%00', '..', 'tag%2Fslash', '.hidden', '']);
  const method = w.rng.pick(['GET', 'PUT', 'DELETE', 'HEAD']);
  const path = `/v2/${w.repo}/manifests/${reference}`;
  if (method !== 'PUT') return any(w, 'bad reference', { method, path, headers: { accept: manifestAccept } });
  return any(w, 'bad reference', { method, path, headers: { 'content-type': mediaTypes.ociManifest }, body: w.pinned.manifest });
};

const wrongContentType: Op = (w) => {
  const type = w.rng.pick(['text/plain', mediaTypes.ociIndex, 'application/vnd.docker.distribution.manifest.v1+prettyjws', '', 'application/json; charset=nonsense']);
  const headers = type ? { 'content-type': type } : {};
  return any(w, 'wrong content type', { method: 'PUT', path: `/v2/${w.repo}/manifests/ct${w.rng.int(5)}`, headers, body: imageManifest(w.pinned.config, [w.pinned.layers[0]!], salt(w)) });
};

const invalidJson: Op = (w) => {
  const body = w.rng.pick([
    () => Buffer.from('{"schemaVersion":2,'),
    () => Buffer.from('null'),
    () => Buffer.from('[]'),
    () => Buffer.from('{"schemaVersion":"two","layers":{}}'),
    () => Buffer.from(`{"schemaVersion":2,"mediaType":"${mediaTypes.ociManifest}","config":{"digest":"sha256:nope","size":-1},"layers":[null]}`),
    () => Buffer.from('{"schemaVersion":2,"layers":[' + '['.repeat(5000) + ']'.repeat(5000) + ']}'),
    () => w.rng.bytes(1 + w.rng.int(2048)),
  ])();
  return any(w, 'invalid manifest', { method: 'PUT', path: `/v2/${w.repo}/manifests/bad`, headers: { 'content-type': mediaTypes.ociManifest }, body });
};

const missingBlobs: Op = (w) => {
  const missing = () => ({ digest: sha256(salt(w)), size: 1 + w.rng.int(1000) });
  const manifest = imageManifest(missing(), [missing(), missing()], salt(w));
  return any(w, 'manifest with missing blobs', { method: 'PUT', path: `/v2/${w.repo}/manifests/missing`, headers: { 'content-type': mediaTypes.ociManifest }, body: manifest });
};

const oversized: Op = (w) =>
  any(w, 'oversized manifest', {
    method: 'PUT',
    path: `/v2/${w.repo}/manifests/big`,
    headers: { 'content-type': mediaTypes.ociManifest },
    body: paddedManifest(w.pinned.config, w.pinned.layers[0]!, w.maxManifestBytes + 1 + w.rng.int(64 * 1024), salt(w)),
  });

/** One layer listed 25,000 times (a duplicate-reference manifest), under the size limit. */
const fanOut: Op = async (w) => {
  await mountPinned(w, w.pinned.config.digest);
  await mountPinned(w, w.pinned.layers[0]!.digest);
  const manifest = fanOutManifest(w.pinned.config, w.pinned.layers[0]!, 25_000, salt(w));
  await any(w, 'fan-out manifest (25,000 layers)', { method: 'PUT', path: `/v2/${w.repo}/manifests/fan${w.rng.int(3)}`, headers: { 'content-type': mediaTypes.ociManifest }, body: manifest });
};

const hugeMediaType: Op = (w) =>
  any(w, 'manifest with 1 MiB media types', {
    method: 'PUT',
    path: `/v2/${w.repo}/manifests/huge`,
    headers: { 'content-type': mediaTypes.ociManifest },
    body: hugeMediaTypeManifest(w.pinned.config, w.pinned.layers[0]!, Math.min(1024 * 1024, Math.floor(w.maxManifestBytes / 4)), salt(w)),
  });

const badContentRange: Op = async (w) => {
  const location = await startUpload(w, w.repo, 'bad Content-Range');
  if (!location) return;
  const range = w.rng.pick(['5-2', 'abc', '0-99999999999999999999', '-1-5', '10-19', 'bytes 0-9/10', '0-', '0-3']);
  // '0-3' against a 10-byte body: the range and the length disagree.
  await any(w, `PATCH Content-Range: ${range}`, { method: 'PATCH', path: location, headers: { ...octet, 'content-range': range }, body: w.rng.bytes(10) });
  await any(w, 'PUT after bad PATCH', { method: 'PUT', path: withDigest(location, sha256('x')) });
  await any(w, 'DELETE upload', { method: 'DELETE', path: location });
};

const patchAfterDelete: Op = async (w) => {
  const location = await startUpload(w, w.repo, 'PATCH after DELETE');
  if (!location) return;
  w.client.expect(await send(w, 'DELETE upload', { method: 'DELETE', path: location }), [204], 'DELETE upload');
  await any(w, 'PATCH after DELETE', { method: 'PATCH', path: location, headers: octet, body: w.rng.bytes(100) });
  await any(w, 'PUT after DELETE', { method: 'PUT', path: withDigest(location, sha256('gone')) });
  await any(w, 'GET upload after DELETE', { method: 'GET', path: location });
};

/** PATCH, PATCH, DELETE and PUT of one upload at once, in the shared race repository. */
const uploadRace: Op = async (w) => {
  const location = await startUpload(w, w.raceRepo, 'upload race');
  if (!location) return;
  const chunk = w.rng.bytes(1 + w.rng.int(8192));
  await Promise.all([
    any(w, 'race: PATCH', { method: 'PATCH', path: location, headers: octet, body: chunk }),
    any(w, 'race: PATCH', { method: 'PATCH', path: location, headers: { ...octet, 'content-range': `0-${chunk.length - 1}` }, body: chunk }),
    any(w, 'race: DELETE', { method: 'DELETE', path: location }),
    any(w, 'race: PUT', { method: 'PUT', path: withDigest(location, sha256(chunk)) }),
  ]);
};

/** Two PUTs completing one upload, and the same new blob pushed twice at once. */
const completeRace: Op = async (w) => {
  const content = w.rng.bytes(1 + w.rng.int(8192));
  const digest = sha256(content);
  const location = await startUpload(w, w.raceRepo, 'completion race');
  if (!location) return;
  if (!w.client.expect(await patch(w, location, content, undefined, 'completion race: PATCH'), [202], 'completion race: PATCH')) return;
  await Promise.all([any(w, 'race: PUT', { method: 'PUT', path: withDigest(location, digest) }), any(w, 'race: PUT', { method: 'PUT', path: withDigest(location, digest) })]);
  const again = w.rng.bytes(1 + w.rng.int(8192));
  const answers = await Promise.all([pushBlobMonolithic(w, w.raceRepo, again, 'same blob race', false), pushBlobMonolithic(w, w.raceRepo, again, 'same blob race', false)]);
  for (const answer of answers) w.client.expect(answer, [201], 'same blob pushed twice at once');
};

const badAuth: Op = (w) => {
  const { pinned, tokens } = w;
  const tampered = `${tokens.full.slice(0, -4)}${tokens.full.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
  const kind = w.rng.int(6);
  const manifestPath = `/v2/${pinned.repo}/manifests/${pinned.tag}`;
  if (kind === 0) return any(w, 'unauthenticated GET', { method: 'GET', path: manifestPath }, null);
  if (kind === 1) return any(w, 'unauthenticated POST', { method: 'POST', path: `/v2/${w.repo}/blobs/uploads/` }, null);
  if (kind === 2) return any(w, 'garbage token', { method: 'GET', path: manifestPath }, w.rng.pick(['garbage', 'a.b.c', '', 'x'.repeat(8000), '..']));
  if (kind === 3) return any(w, 'tampered token', { method: 'GET', path: manifestPath }, tampered);
  if (kind === 4) return any(w, 'Basic instead of Bearer', { method: 'GET', path: manifestPath, headers: { authorization: 'Basic c29hazp3cm9uZw==' } }, null);
  return any(w, 'push with a pull-only token', { method: 'POST', path: `/v2/${w.repo}/blobs/uploads/` }, tokens.readOnly);
};

const badQueries: Op = (w) => {
  const query = w.rng.pick(['n=-1', 'n=abc', 'n=99999999999999999999', `last=${'z'.repeat(5000)}`, 'n=0', 'n=1&n=2', 'last=%ff%fe', 'n=1e3']);
  const path = w.rng.next() < 0.5 ? `/v2/${w.pinned.repo}/tags/list?${query}` : `/v2/_catalog?${query}`;
  return any(w, 'bad listing query', { method: 'GET', path });
};

const badRanges: Op = (w) => {
  const range = w.rng.pick(['bytes=abc', 'bytes=100-5', 'bytes=0-0,5-9', 'bytes=999999999-', 'bytes=-0', 'items=0-1', `bytes=${'9'.repeat(40)}-`]);
  return any(w, `GET blob Range: ${range}`, { method: 'GET', path: `/v2/${w.pinned.repo}/blobs/${w.pinned.layers[0]!.digest}`, headers: { range } });
};

const badUploads: Op = (w) => {
  const id = w.rng.pick(['not-a-uuid', '..%2F..%2Fx', '00000000-0000-0000-0000-000000000000', 'a'.repeat(500), '%00']);
  const method = w.rng.pick(['GET', 'PATCH', 'PUT', 'DELETE']);
  return any(w, 'unknown upload', { method, path: `/v2/${w.repo}/blobs/uploads/${id}${method === 'PUT' ? `?digest=${sha256('x')}` : ''}`, headers: octet, body: method === 'PATCH' ? Buffer.from('data') : undefined });
};

const wrongMethods: Op = (w) => {
  const [method, path] = w.rng.pick([
    ['PUT', '/v2/_catalog'],
    ['DELETE', '/v2/'],
    ['POST', `/v2/${w.pinned.repo}/manifests/${w.pinned.tag}`],
    ['PATCH', `/v2/${w.pinned.repo}/tags/list`],
    ['OPTIONS', `/v2/${w.pinned.repo}/blobs/${w.pinned.config.digest}`],
    ['GET', '/v2/../../../etc/passwd'],
    ['GET', '/nowhere'],
  ] as const);
  return any(w, 'wrong method or path', { method, path });
};

/** Relative weights: about two valid operations for each malformed one; the costly ones rare. */
export const soakOps = {
  blobMonolithic: [blobMonolithic, 12],
  blobChunked: [blobChunked, 6],
  imagePush: [imagePush, 6],
  pullPinnedManifest: [pullPinnedManifest, 14],
  pullPinnedBlob: [pullPinnedBlob, 10],
  heads: [heads, 6],
  listings: [listings, 5],
  deleteCycle: [deleteCycle, 3],
  badNames: [badNames, 3],
  badDigests: [badDigests, 3],
  badReferences: [badReferences, 2],
  wrongContentType: [wrongContentType, 2],
  invalidJson: [invalidJson, 2],
  missingBlobs: [missingBlobs, 2],
  oversized: [oversized, 0.15],
  fanOut: [fanOut, 0.25],
  hugeMediaType: [hugeMediaType, 0.15],
  badContentRange: [badContentRange, 2],
  patchAfterDelete: [patchAfterDelete, 2],
  uploadRace: [uploadRace, 2],
  completeRace: [completeRace, 1.5],
  badAuth: [badAuth, 3],
  badQueries: [badQueries, 1.5],
  badRanges: [badRanges, 1.5],
  badUploads: [badUploads, 1.5],
  wrongMethods: [wrongMethods, 1],
} satisfies Record<string, [Op, number]>;

export type SoakOpName = keyof typeof soakOps;
const weights = Object.fromEntries(Object.entries(soakOps).map(([name, [, weight]]) => [name, weight])) as Record<SoakOpName, number>;

/** Draws and runs the worker's next operation; returns its name (for per-operation counts). */
export async function nextOp(w: SoakWorker): Promise<SoakOpName> {
  const name = w.rng.weighted(weights);
  w.serial++;
  await soakOps[name][0](w);
  return name;
}
