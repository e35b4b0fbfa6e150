// Repositories as the JSON API creates, shows, lists, changes and deletes them. Creating one
// takes the push right on its name (grant.ts); deleting one removes the index's records only —
// the registry's bytes are another concern.
import { isRepositoryName } from '@wharf/shared';
import type { IndexStore } from '../db/store.js';
import type { ManifestRecord, ManifestReference } from '../db/images.js';
import type { Repository, Visibility } from '../db/repositories.js';
import { IndexError } from '../http/errors.js';
import { may, namespaceOf, pullScope, type Principal } from '../permissions/grant.js';
import { administeredRepository, visibleRepository } from './access.js';
import { oneOf, optionalText, recordChange, type Actor } from './actor.js';
import { isAddressable } from './paths.js';

const visibilities: readonly Visibility[] = ['public', 'private'];
/** Docker Hub's "short description" is 100 characters; ours is a paragraph, but still bounded. */
export const maxDescriptionLength = 2000;

export interface RepositorySummary {
  name: string;
  namespace: string;
  visibility: Visibility;
  description: string;
  starCount: number;
  createdAt: string;
  updatedAt: string;
  lastPush: string | null;
}

export interface TagView {
  tag: string;
  digest: string;
  mediaType: string;
  size: number;
  layers: string[];
  /** Config and layers (an image), or child manifests with their platforms (an index). */
  references: ManifestReference[];
  pushedAt: string;
}

export interface RepositoryView extends RepositorySummary {
  starred: boolean;
  tags: TagView[];
  /** Tags not listed (past the first 1000, or past repositories.maxListedReferences). */
  tagsLeftOut?: number;
}

export function repositorySummary(store: IndexStore, repo: Repository): RepositorySummary {
  return {
    name: repo.name,
    namespace: namespaceOf(repo.name),
    visibility: repo.visibility,
    description: repo.description,
    starCount: store.repositories.starCount(repo.id),
    createdAt: repo.createdAt,
    updatedAt: repo.updatedAt,
    lastPush: store.images.lastPush(repo.id) ?? null,
  };
}

/** `maxReferences`: repositories.maxListedReferences, the references all listed tags carry at most. */
export function repositoryView(store: IndexStore, repo: Repository, principal: Principal, maxReferences: number): RepositoryView {
  // A tag's pushedAt is when the tag last moved, which is what a reader of the list wants.
  const tags = store.images.tags(repo.id, { maxReferences }).map((t) => ({ tag: t.tag, digest: t.digest, mediaType: t.mediaType, size: t.size, layers: t.layers, references: t.references, pushedAt: t.updatedAt }));
  const starred = principal.kind === 'user' && store.repositories.isStarred(repo.id, principal.user.id);
  const leftOut = store.images.tagCount(repo.id) - tags.length;
  return { ...repositorySummary(store, repo), starred, tags, ...(leftOut > 0 ? { tagsLeftOut: leftOut } : {}) };
}

function checkNewName(value: unknown): string {
  const name = typeof value === 'string' ? value : '';
  if (!isRepositoryName(name) || !name.includes('/') || !isAddressable(name)) {
    throw new IndexError('INVALID_FIELD', {
      message: 'name must be "<namespace>/<name>" in the repository-name grammar, and must not end like an API sub-resource (/star, /comments, /collaborators)',
      detail: { field: 'name' },
    });
  }
  return name;
}

export function createRepository(
  store: IndexStore,
  actor: Actor,
  input: { name: unknown; visibility?: unknown; description?: unknown },
  defaultVisibility: Visibility,
  maxReferences: number,
): RepositoryView {
  const name = checkNewName(input.name);
  const visibility = input.visibility === undefined ? defaultVisibility : oneOf(input.visibility, visibilities, 'visibility');
  const description = optionalText(input.description, maxDescriptionLength, 'description') ?? '';
  const namespace = store.namespaces.byName(namespaceOf(name));
  if (!namespace) throw new IndexError('NOT_FOUND', { message: `no such namespace: ${namespaceOf(name)}`, detail: { namespace: namespaceOf(name) } });
  if (!may(store, actor.principal, name, 'push')) throw new IndexError('DENIED', { message: `you may not create repositories named ${name}`, detail: { repository: name } });
  const repo = store.transaction(() => {
    if (store.repositories.byName(name)) throw new IndexError('NAME_TAKEN', { message: `repository ${name} exists`, detail: { field: 'name' } });
    const created = store.repositories.insert(namespace.id, name, visibility, description);
    recordChange(store, actor, 'repository.create', name, { visibility });
    return created;
  });
  return repositoryView(store, repo, actor.principal, maxReferences);
}

export function describeRepository(store: IndexStore, principal: Principal, name: string, maxReferences: number): RepositoryView {
  return repositoryView(store, visibleRepository(store, principal, name), principal, maxReferences);
}

/** One manifest of a repository the caller may pull, by digest (an index's platform). */
export function describeManifest(store: IndexStore, principal: Principal, name: string, digest: string): ManifestRecord {
  const repo = visibleRepository(store, principal, name);
  const manifest = store.images.manifest(repo.id, digest);
  if (!manifest) throw new IndexError('NOT_FOUND', { message: `${name} has no manifest ${digest}`, detail: { digest } });
  return manifest;
}

/**
 * One page (by name) of the namespace's repositories the caller may pull, and how many there are:
 * SQLite filters and cuts, so a namespace of 100,000 costs one page of summaries.
 */
export function listNamespaceRepositories(store: IndexStore, principal: Principal, namespaceName: string, paging: { n: number; page: number }): { repositories: RepositorySummary[]; total: number } {
  const namespace = store.namespaces.byName(namespaceName);
  if (!namespace) throw new IndexError('NOT_FOUND', { message: `no such namespace: ${namespaceName}`, detail: { namespace: namespaceName } });
  const { repositories, total } = store.repositories.pageInNamespace(namespace.id, pullScope(store, principal), paging.n, (paging.page - 1) * paging.n);
  return { repositories: repositories.map((repo) => repositorySummary(store, repo)), total };
}

export function updateRepository(store: IndexStore, actor: Actor, name: string, input: { visibility?: unknown; description?: unknown }, maxReferences: number): RepositoryView {
  const changes: { visibility?: Visibility; description?: string } = {};
  if (input.visibility !== undefined) changes.visibility = oneOf(input.visibility, visibilities, 'visibility');
  const description = optionalText(input.description, maxDescriptionLength, 'description');
  if (description !== undefined) changes.description = description;
  const repo = store.transaction(() => {
    const found = administeredRepository(store, actor.principal, name);
    store.repositories.update(found.id, changes);
    recordChange(store, actor, 'repository.update', name, { ...changes });
    return store.repositories.byId(found.id)!;
  });
  return repositoryView(store, repo, actor.principal, maxReferences);
}

export function deleteRepository(store: IndexStore, actor: Actor, name: string): void {
  store.transaction(() => {
    const repo = administeredRepository(store, actor.principal, name);
    store.repositories.delete(repo.id);
    recordChange(store, actor, 'repository.delete', name);
  });
}
