// Repository names, tags and references: the grammar of the OCI distribution spec
// ("Pulling manifests") and of docker's distribution/reference, which clients enforce too.
import { isDigest } from './digest.js';

/** One path component: lowercase alphanumerics joined by '.', '_', '__' or runs of '-'. */
const component = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const nameGrammar = new RegExp(`^${component}(?:/${component})*$`);
const tagGrammar = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** Distribution's limit; longer names cannot be addressed by clients anyway. */
export const maxNameLength = 255;

export function isRepositoryName(name: string): boolean {
  return name.length > 0 && name.length <= maxNameLength && nameGrammar.test(name);
}

export function isTag(tag: string): boolean {
  return tagGrammar.test(tag);
}

/** The v1 convention: a bare name lives in the "library" namespace. */
export function normalizeV1Name(name: string): string {
  return name.includes('/') ? name : `library/${name}`;
}

export interface ImageReference {
  name: string;
  tag?: string;
  digest?: string;
}

/** Parses "name[:tag][@digest]" (no registry host part). Returns undefined when invalid. */
export function parseImageReference(value: string): ImageReference | undefined {
  let rest = value;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) return undefined;
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!isTag(tag)) return undefined;
  }
  if (!isRepositoryName(rest)) return undefined;
  const ref: ImageReference = { name: rest };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}
