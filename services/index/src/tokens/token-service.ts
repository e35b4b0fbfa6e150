// The token server's logic (token.md, oauth.md): who is asking (anonymous, password, personal
// access token or refresh token), what they asked for, what they get (grant = asked ∩ allowed),
// and the signed token. A partial grant is a token with fewer actions, never an error; bad
// credentials are UNAUTHORIZED. Every grant and denial goes to the audit log.
import { randomBytes } from 'node:crypto';
import { durationMs, formatScope, isRepositoryName, parseScope, type AccessRecord } from '@wharf/shared';
import { authenticate } from '../accounts/accounts.js';
import { hashSecret } from '../accounts/access-tokens.js';
import type { IndexConfig } from '../config/schema.js';
import type { IndexStore } from '../db/store.js';
import { IndexError } from '../http/errors.js';
import { anonymous, grantAccess, type GrantRules, type Principal } from '../permissions/grant.js';
import { issueToken } from './issue.js';
import type { SigningKey } from './keys.js';

export interface TokenRequest {
  service: string | undefined;
  scopes: string[];
  credentials?: { username: string; password: string };
  refreshToken?: string;
  /** Issue a refresh token too (GET offline_token=true, POST access_type=offline). */
  offline: boolean;
  clientId: string;
  remote?: string | undefined;
}

export interface TokenResponse {
  token: string;
  expiresIn: number;
  issuedAt: string;
  scope: string;
  refreshToken?: string;
}

const refreshPrefix = 'wharf_rt_';

export class TokenService {
  constructor(
    private readonly store: IndexStore,
    private readonly config: IndexConfig['token'],
    private readonly signingKeys: () => SigningKey[],
    /** Set-up dependent permission rules (a chained upstream's proxied names). */
    private readonly rules: GrantRules = {},
  ) {}

  parseScopes(scopes: string[]): AccessRecord[] {
    const records: AccessRecord[] = [];
    for (const scope of scopes.flatMap((s) => s.split(' ')).filter(Boolean)) {
      const record = parseScope(scope);
      if (!record) throw new IndexError('INVALID_REQUEST', { message: `invalid scope ${JSON.stringify(scope)}`, detail: { scope } });
      // The registry refuses such names; a grant on one (bobby/../alice/x) would mean nothing good.
      if (record.type === 'repository' && !isRepositoryName(record.name)) {
        throw new IndexError('INVALID_REQUEST', { message: `invalid repository name in scope ${JSON.stringify(scope)}`, detail: { scope } });
      }
      records.push(record);
    }
    return records;
  }

  private async principal(request: TokenRequest): Promise<Principal> {
    if (request.refreshToken !== undefined) return this.fromRefreshToken(request.refreshToken, request.remote);
    if (!request.credentials) return anonymous;
    const found = await authenticate(this.store, request.credentials.username, request.credentials.password);
    if (!found) {
      this.store.audit.record({ actor: request.credentials.username, action: 'login', outcome: 'denied', remote: request.remote ?? null });
      throw new IndexError('UNAUTHORIZED', { message: 'invalid username or password' });
    }
    this.store.users.update(found.user.id, { lastLoginAt: new Date().toISOString() });
    this.store.audit.record({ actor: found.user.username, action: 'login', detail: { accessToken: found.accessToken?.name }, remote: request.remote ?? null });
    return found.accessToken ? { kind: 'user', user: found.user, accessToken: found.accessToken } : { kind: 'user', user: found.user };
  }

  private fromRefreshToken(secret: string, remote?: string): Principal {
    const record = secret.startsWith(refreshPrefix) ? this.store.tokens.refreshTokenByHash(hashSecret(secret)) : undefined;
    const user = record && this.store.users.byId(record.userId);
    const valid = record && !record.revokedAt && new Date(record.expiresAt) > new Date() && user && !user.disabled;
    const accessToken = record?.accessTokenId ? this.store.tokens.accessTokenById(record.accessTokenId) : undefined;
    const tokenStillValid = !record?.accessTokenId || (accessToken && !accessToken.revokedAt && (!accessToken.expiresAt || new Date(accessToken.expiresAt) > new Date()));
    if (!valid || !user || !tokenStillValid) {
      this.store.audit.record({ actor: user?.username ?? null, action: 'login', outcome: 'denied', detail: { via: 'refresh_token' }, remote: remote ?? null });
      throw new IndexError('UNAUTHORIZED', { message: 'invalid or revoked refresh token' });
    }
    return accessToken ? { kind: 'user', user, accessToken } : { kind: 'user', user };
  }

  private issueRefreshToken(principal: Principal, clientId: string): string | undefined {
    if (principal.kind !== 'user') return undefined;
    const secret = refreshPrefix + randomBytes(32).toString('base64url');
    const expires = new Date(Date.now() + durationMs(this.config.refreshTtl)).toISOString();
    this.store.tokens.insertRefreshToken(principal.user.id, hashSecret(secret), clientId, principal.accessToken?.id ?? null, expires);
    return secret;
  }

  async request(request: TokenRequest): Promise<TokenResponse> {
    const service = request.service ?? this.config.services[0]!;
    if (!this.config.services.includes(service)) {
      throw new IndexError('INVALID_REQUEST', { message: `unknown service ${JSON.stringify(service)}`, detail: { service } });
    }
    const asked = this.parseScopes(request.scopes);
    const principal = await this.principal(request);
    const granted = grantAccess(this.store, principal, asked, this.rules);
    const subject = principal.kind === 'user' ? principal.user.username : '';
    const [key] = this.signingKeys();
    if (!key) throw new IndexError('UNAVAILABLE', { message: 'no signing key' });
    const issued = issueToken(key, { issuer: this.config.issuer, ttlSeconds: durationMs(this.config.ttl) / 1000 }, subject, service, granted);
    if (asked.length) {
      const partial = granted.length !== asked.length || granted.some((g, i) => g.actions.length !== asked[i]?.actions.length);
      this.store.audit.record({
        actor: subject || null,
        action: 'token',
        outcome: partial ? 'denied' : 'ok',
        target: asked.map(formatScope).join(' '),
        detail: { granted: granted.map(formatScope) },
        remote: request.remote ?? null,
      });
    }
    const response: TokenResponse = { token: issued.token, expiresIn: issued.expiresIn, issuedAt: issued.issuedAt, scope: granted.map(formatScope).join(' ') };
    if (request.offline && request.refreshToken === undefined) {
      const refresh = this.issueRefreshToken(principal, request.clientId);
      if (refresh) response.refreshToken = refresh;
    }
    return response;
  }
}

