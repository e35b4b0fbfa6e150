// Which upstream, if any, serves a repository name: the upstream with the longest prefix the name
// starts with ('*' is the shortest), unless the name's namespace is local (local-namespaces.ts).
// A name that is not routed is an ordinary local repository.
import type { UpstreamClient } from './upstream/client.js';
import type { LocalNamespaces } from './local-namespaces.js';

export interface UpstreamRoute {
  upstream: UpstreamClient;
  /** The name as the upstream knows it. */
  remote: string;
  tagTtlMs: number;
}

export interface RoutedUpstream {
  client: UpstreamClient;
  prefixes: string[];
  stripPrefix: boolean;
  tagTtlMs: number;
}

export class UpstreamRouter {
  private readonly table: { prefix: string; upstream: RoutedUpstream }[];

  constructor(
    upstreams: RoutedUpstream[],
    private readonly local: LocalNamespaces | undefined,
  ) {
    this.table = upstreams
      .flatMap((upstream) => upstream.prefixes.map((prefix) => ({ prefix, upstream })))
      .sort((a, b) => (b.prefix === '*' ? -1 : a.prefix === '*' ? 1 : b.prefix.length - a.prefix.length));
  }

  get enabled(): boolean {
    return this.table.length > 0;
  }

  async route(name: string): Promise<UpstreamRoute | undefined> {
    const entry = this.table.find(({ prefix }) => prefix === '*' || name.startsWith(prefix));
    if (!entry) return undefined;
    if (this.local && (await this.local.isLocal(name.split('/')[0]!))) return undefined;
    const { upstream, prefix } = entry;
    const remote = upstream.stripPrefix && prefix !== '*' ? name.slice(prefix.length) : name;
    return { upstream: upstream.client, remote, tagTtlMs: upstream.tagTtlMs };
  }
}
