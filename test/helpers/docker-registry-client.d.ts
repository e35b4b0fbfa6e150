// The parts of the npm docker-registry-client (v3, CommonJS, untyped) that the v1 tests use:
// createClientV1's pull calls and the v1 login/ping. See
// node_modules/docker-registry-client/lib/registry-client-v1.js.
declare module 'docker-registry-client' {
  import type { IncomingMessage } from 'node:http';

  namespace drc {
    type Callback<T> = (err: (Error & { statusCode?: number; body?: unknown }) | null, result: T, res?: IncomingMessage) => void;

    interface ClientV1Options {
      /** "[INDEX/]NAME", e.g. "127.0.0.1:5001/alice/app". */
      name: string;
      username?: string;
      password?: string;
      scheme?: 'http' | 'https';
      insecure?: boolean;
      userAgent?: string;
      log?: unknown;
    }

    interface RegistryClientV1 {
      version: 1;
      /** The token from X-Docker-Token, once a session exists. */
      token?: string;
      ping(cb: (err: Error | null, body: unknown, res?: IncomingMessage) => void): void;
      search(opts: { term: string }, cb: Callback<SearchResults>): void;
      listRepoImgs(cb: Callback<{ id: string; checksum?: string }[]>): void;
      listRepoTags(cb: Callback<Record<string, string>>): void;
      getImgId(opts: { tag: string }, cb: Callback<string>): void;
      getImgAncestry(opts: { imgId: string }, cb: Callback<string[]>): void;
      getImgJson(opts: { imgId: string }, cb: Callback<Record<string, unknown>>): void;
      /** A paused response stream: the caller resumes it. */
      getImgLayerStream(opts: { imgId: string }, cb: (err: Error | null, stream: IncomingMessage) => void): void;
      close(): void;
    }

    interface SearchResults {
      query: string;
      num_results: number;
      num_pages?: number;
      page?: number;
      page_size?: number;
      results: { name: string; description: string; star_count?: number; is_official?: boolean; is_trusted?: boolean }[];
    }

    interface LoginV1Options {
      index: string;
      username: string;
      password: string;
      email: string;
      insecure?: boolean;
      log?: unknown;
    }
  }

  const drc: {
    createClientV1(opts: drc.ClientV1Options): drc.RegistryClientV1;
    loginV1(opts: drc.LoginV1Options, cb: (err: Error | null, result: { status: string }) => void): void;
    pingIndexV1(opts: { indexName: string; insecure?: boolean; log?: unknown }, cb: (err: Error | null, body: unknown, res?: IncomingMessage) => void): void;
  };
  export = drc;
}
