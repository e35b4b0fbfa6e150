// The index's own metrics, beside the request metrics every service has: logins (from the audit
// log, where every login is recorded), tokens issued (fully or partly granted) and refused,
// rate-limit refusals, webhook delivery attempts. Each is wired in from outside the code it
// counts: an audit observer, a token service subclass, and callbacks.
import { counter, type MetricsRegistry } from '@wharf/common';
import { parseScope, type AccessRecord } from '@wharf/shared';
import type { AuditTable } from './db/audit.js';
import type { IndexStore } from './db/store.js';
import type { IndexConfig } from './config/schema.js';
import type { RateLimitName } from './http/middleware/rate-limits.js';
import type { GrantRules } from './permissions/grant.js';
import type { SigningKey } from './tokens/keys.js';
import { TokenService, type TokenRequest, type TokenResponse } from './tokens/token-service.js';
import { IndexError } from './http/errors.js';

/** Counts the audit log's login entries by result and by how the client logged in. */
export function countLogins(audit: AuditTable, registry: MetricsRegistry): void {
  const logins = counter(registry, {
    name: 'wharf_index_logins_total',
    help: 'Logins (token server, v1, refresh tokens) by result (ok, failed) and way in',
    labelNames: ['result', 'via'],
  });
  audit.observe((entry) => {
    if (entry.action !== 'login') return;
    const via = typeof entry.detail?.via === 'string' ? entry.detail.via : 'password';
    logins.inc({ result: entry.outcome === undefined || entry.outcome === 'ok' ? 'ok' : 'failed', via });
  });
}

function actionCount(records: (AccessRecord | undefined)[]): number {
  return records.reduce((sum, r) => sum + (r?.actions.length ?? 0), 0);
}

/** The token service, counting what it issues (fully or partly granted) and what it refuses (by error code). */
export class CountedTokenService extends TokenService {
  private readonly issued;
  private readonly denied;

  constructor(store: IndexStore, config: IndexConfig['token'], signingKeys: () => SigningKey[], registry: MetricsRegistry, rules: GrantRules = {}) {
    super(store, config, signingKeys, rules);
    this.issued = counter(registry, {
      name: 'wharf_index_tokens_issued_total',
      help: 'Registry tokens issued, by grant: full (everything asked) or partial (fewer actions than asked)',
      labelNames: ['grant'],
    });
    this.denied = counter(registry, {
      name: 'wharf_index_tokens_denied_total',
      help: 'Token requests refused, by error code (UNAUTHORIZED, INVALID_REQUEST, …)',
      labelNames: ['code'],
    });
  }

  override async request(request: TokenRequest): Promise<TokenResponse> {
    let response: TokenResponse;
    try {
      response = await super.request(request);
    } catch (err) {
      if (err instanceof IndexError) this.denied.inc({ code: err.code });
      throw err;
    }
    const asked = actionCount(this.parseScopes(request.scopes));
    const granted = actionCount(response.scope.split(' ').filter(Boolean).map(parseScope));
    this.issued.inc({ grant: granted < asked ? 'partial' : 'full' });
    return response;
  }
}

/** Counts requests the login rate limits refused, by limit. */
export function rateLimitCounter(registry: MetricsRegistry): (limit: RateLimitName) => void {
  const limited = counter(registry, {
    name: 'wharf_index_rate_limited_total',
    help: 'Requests refused by a login rate limit (perAddress, failedPerAccount)',
    labelNames: ['limit'],
  });
  return (limit) => limited.inc({ limit });
}

/** Counts webhook delivery attempts by outcome. */
export function webhookCounter(registry: MetricsRegistry): (status: 'delivered' | 'pending' | 'failed') => void {
  const deliveries = counter(registry, {
    name: 'wharf_index_webhook_deliveries_total',
    help: 'Webhook delivery attempts by result: delivered, pending (failed, will retry), failed (gave up)',
    labelNames: ['result'],
  });
  return (result) => deliveries.inc({ result });
}
