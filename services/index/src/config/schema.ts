// The index's configuration: the one definition, with its defaults. Keys are camelCase and never
// contain '_', so WHARF_INDEX_A_B maps onto index.a.b.
import { z } from 'zod';
import { debugSection, duration, fetchUrl, httpLimitFields, listenAddr, logSection, tlsSection } from '@wharf/common';
import { defaultEventBatchBytes, durationMs } from '@wharf/shared';

export const indexConfigSchema = z.strictObject({
  http: z
    .strictObject({
      addr: listenAddr('127.0.0.1:5001'),
      /** The URL clients reach the index at (token realm, links); defaults to http://<addr>. */
      publicUrl: z.url().optional(),
      /** Honour X-Forwarded-For from this many proxies in front (express "trust proxy"). */
      trustProxy: z.number().int().min(0).max(10).default(0),
      /** Serve Prometheus metrics at GET /metrics (request counts, durations, bytes, process). */
      metrics: z.boolean().default(false),
      /** Serve https with this certificate and key (and require client certificates with clientCA). */
      tls: tlsSection,
      /** A separate plain-http listener for /metrics, /healthz and /readyz. */
      debug: debugSection,
      /** Timeouts and connection limits; the index takes small bodies, so a whole request gets a minute. */
      ...httpLimitFields({ requestTimeout: '1m' }),
    })
    .prefault({}),
  log: logSection,
  database: z.strictObject({ path: z.string().min(1).default('./data/index/index.db') }).prefault({}),
  accounts: z
    .strictObject({
      /** bcrypt cost for passwords; 10 or more. */
      bcryptCost: z.number().int().min(10).max(15).default(10),
      /** Whether anyone may sign up through the API; when false only admins create accounts. */
      signup: z.boolean().default(true),
      /** An admin account created at start-up if it does not exist yet. */
      initialAdmin: z
        .strictObject({ username: z.string(), password: z.string().min(8), email: z.string().default('admin@localhost') })
        .optional(),
    })
    .prefault({}),
  repositories: z
    .strictObject({
      /** Visibility of a repository created by its first push. */
      defaultVisibility: z.enum(['public', 'private']).default('private'),
      /**
       * References (or layers) a repository's view lists in all over its tags (API and UI); tags
       * past it are left out and counted. A manifest may list 10,000 and each tag repeats its.
       */
      maxListedReferences: z.number().int().min(1).default(20_000),
    })
    .prefault({}),
  token: z
    .strictObject({
      /** `iss` of issued tokens; registries trust this issuer. */
      issuer: z.string().min(1).default('wharf-index'),
      /** The registry service names (token audiences) this index issues tokens for. */
      services: z.array(z.string().min(1)).min(1).default(['wharf-registry']),
      ttl: duration.default('5m'),
      refreshTtl: duration.default('90d'),
    })
    .prefault({}),
  events: z
    .strictObject({
      /** Shared secret the registry sends as `Authorization: Bearer <secret>` with its events. */
      secret: z.string().min(16).optional(),
      /**
       * Largest POST /events body accepted; must be at least every registry's
       * notifications.endpoints[].maxBatchBytes (the same default), or their batches are refused.
       */
      maxBodyBytes: z.number().int().min(64 * 1024).default(defaultEventBatchBytes),
    })
    .prefault({}),
  webhooks: z
    .strictObject({
      /** Attempts per delivery before it is marked failed. */
      attempts: z.number().int().min(1).max(20).default(5),
      /** Wait after a delivery's first failed attempt; doubles after each further one. */
      backoff: duration.default('30s'),
      /** How often the worker looks for deliveries that are due. */
      interval: duration.default('1s'),
      /** A delivery whose response status has not arrived by then (from its start) counts as failed. */
      timeout: duration.default('10s'),
      /** A delivery whose connection (DNS lookup included) is not open by then counts as failed. */
      connectTimeout: duration.default('5s'),
      /** Deliveries attempted at once, in all. */
      concurrency: z.number().int().min(1).max(1000).default(20),
      /** Deliveries attempted at once to one host:port, so a slow target holds only its own slots. */
      perTarget: z.number().int().min(1).max(1000).default(2),
      /** Deliveries attempted at once for one namespace's webhooks: its share of `concurrency`. */
      perNamespace: z.number().int().min(1).max(1000).default(5),
      /**
       * Deliveries queued (pending) at most, in all and per namespace: a redelivery past either is
       * refused (429) and a push's delivery is recorded as failed. A payload is a few KiB at most
       * (its largest part is the repository description), so these bound the queue's bytes too.
       */
      maxPending: z.number().int().min(1).default(10_000),
      maxPendingPerNamespace: z.number().int().min(1).default(1000),
      /** Allow targets on loopback, private and link-local addresses (off: they are refused). */
      allowPrivateTargets: z.boolean().default(false),
    })
    .prefault({}),
  v1: z
    .strictObject({
      /** Serve the legacy v1 index API (/v1/users/, /v1/repositories/…) for Docker 1.x-era clients. */
      enabled: z.boolean().default(true),
      /** Registries v1 clients are sent to (X-Docker-Endpoints), as host[:port]; clients add the
       * index's own scheme. `wharf serve` sets the registry's address. */
      endpoints: z.array(z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, 'host[:port]')).min(1).default(['127.0.0.1:5000']),
      /** Lifetime of an X-Docker-Token: a whole push or pull, which reuses it for every request. */
      tokenTtl: duration.default('1h'),
    })
    .prefault({}),
  /**
   * Chaining to an upstream index (README, "Chained private index / pull-through cache"): search
   * merges its results, a repository this index does not know is looked up there, tokens for
   * names in no local namespace (the upstream's, served by the pull-through registry) follow
   * `tokenPolicy`, and the registry's cache fills for such names are recorded.
   */
  upstream: z
    .strictObject({
      /** The upstream index's base URL, e.g. https://index.example.com (no path). */
      url: fetchUrl,
      /** An account at the upstream index, for its search and repository API (Basic auth). */
      username: z.string().min(1).optional(),
      password: z.string().min(1).optional(),
      /** Who may pull proxied names: any signed-in user, or anonymous callers too. */
      tokenPolicy: z.enum(['authenticated', 'anonymous']).default('authenticated'),
      /** An upstream request not answered by then counts as the upstream being down. */
      timeout: duration.default('5s'),
    })
    .refine((u) => (u.username === undefined) === (u.password === undefined), { message: 'username and password go together' })
    .optional(),
  ui: z
    .strictObject({
      /** Serve the web UI at / (browse, search, accounts, repositories, organizations, admin). */
      enabled: z.boolean().default(true),
      /** How long a browser session lasts after logging in. */
      sessionTtl: duration.default('12h'),
      /** host[:port] of the registry shown in pull commands; defaults to the first v1.endpoints entry. */
      registryHost: z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, 'host[:port]').optional(),
      /**
       * Base URL the index reads image configs from (the tag page), e.g. http://127.0.0.1:5000;
       * defaults to http://<registryHost> (wharf serve sets its own registry's URL).
       */
      registryUrl: z.url({ protocol: /^https?$/ }).optional(),
      /** A config read from the registry not done by then: the tag page says the config is not available. */
      configTimeout: duration.default('3s'),
      /** Bytes of image configs the tag page keeps in memory (at most 256 configs); 0 disables. */
      configCacheBytes: z.number().int().min(0).default(16 * 1024 * 1024),
    })
    .prefault({}),
  rateLimit: z
    .strictObject({
      window: duration.default('1m'),
      /** Requests to the token and login endpoints per client address per window. */
      perAddress: z.number().int().positive().default(600),
      /** Failed logins per (account, address) per window; success does not count. */
      failedPerAccount: z.number().int().positive().default(10),
    })
    .prefault({}),
  retention: z
    .strictObject({
      /** Audit log entries older than this are deleted ("0d": kept forever). Every token grant is one. */
      auditLog: duration.default('365d'),
      /** Finished webhook deliveries (delivered or failed) older than this are deleted ("0d": kept forever). */
      webhookDeliveries: duration.default('30d'),
      /**
       * How long a registry event's id is remembered, so a re-sent event is applied once: keep it
       * longer than any outage of the index a registry's durable queue may bridge ("0d": forever).
       */
      eventIds: duration.default('30d'),
      /** How often old rows (and expired sessions, refresh tokens and v1 tokens) are deleted. */
      interval: duration.refine((v) => durationMs(v) >= 1000, 'at least 1s').default('1h'),
    })
    .prefault({}),
});

export type IndexConfigInput = z.input<typeof indexConfigSchema>;
export type IndexConfig = z.output<typeof indexConfigSchema>;
