// The image lists v1 clients send: `[{"id","Tag"}]` when a push starts (checksums empty, per the
// spec) and `[{"id","checksum"}]` or `[]` (Docker 1.5) when it ends. The index keeps each
// repository's image ids with their checksums and lists them at GET …/images.
import type { IndexStore } from '../db/store.js';
import type { Repository } from '../db/repositories.js';
import type { V1Image } from '../db/v1.js';
import { IndexError } from '../http/errors.js';

/** Docker's ids are 64 hex digits; older tools used other opaque ids, so the grammar is loose. */
const imageIdGrammar = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
/** `sha256:…`, `tarsum+sha256:…`, `md5:…`: an algorithm, a colon, a value. */
const checksumGrammar = /^[A-Za-z0-9+._-]{1,64}:[A-Za-z0-9+/=._-]{1,256}$/;

function invalid(message: string, index: number): IndexError {
  return new IndexError('INVALID_FIELD', { message, detail: { index } });
}

/** Checks a body as a list of images; an absent body is an empty list. */
export function parseImageList(body: unknown): V1Image[] {
  if (body === undefined) return [];
  if (!Array.isArray(body)) throw new IndexError('INVALID_REQUEST', { message: 'the body must be a JSON list of {"id","checksum"} objects' });
  return body.map((entry: unknown, index) => {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw invalid('each image must be an object', index);
    const { id, checksum } = entry as Record<string, unknown>;
    if (typeof id !== 'string' || !imageIdGrammar.test(id)) throw invalid('an image needs a valid "id"', index);
    if (checksum === undefined || checksum === null || checksum === '') return { id, checksum: null };
    if (typeof checksum !== 'string' || !checksumGrammar.test(checksum)) throw invalid(`image ${id} has an invalid "checksum"`, index);
    return { id, checksum };
  });
}

/** The list GET …/images answers: ids, with the checksum when one was reported. */
export function listedImages(store: IndexStore, repo: Repository): { id: string; checksum?: string }[] {
  return store.v1.images(repo.id).map((image) => (image.checksum ? { id: image.id, checksum: image.checksum } : { id: image.id }));
}
