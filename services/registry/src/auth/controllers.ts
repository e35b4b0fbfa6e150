// Builds the access controller the config names; exactly one is configured (none by default).
import type { Logger } from 'pino';
import { counter, type MetricsRegistry } from '@wharf/common';
import { durationMs, type RegistryConfig } from '../config/schema.js';
import type { AccessController } from './controller.js';
import { loadHtpasswd } from './htpasswd/htpasswd-file.js';
import { createHtpasswdController } from './htpasswd/htpasswd-controller.js';
import { createNoneController } from './none/none-controller.js';
import { createTokenController } from './token/token-controller.js';
import { certificateKeys, combineKeys, jwksKeys, loadCertificateBundle, type TrustedKeys } from './token/trusted-keys.js';

type TokenConfig = NonNullable<RegistryConfig['auth']['token']>;

/** JWKS is fetched at start; while the token server is unreachable, retried in the background. */
async function tokenKeys(token: TokenConfig, logger: Logger): Promise<TrustedKeys> {
  const sources: TrustedKeys[] = [];
  if (token.rootCertBundle) sources.push(certificateKeys(await loadCertificateBundle(token.rootCertBundle)));
  if (token.jwks) {
    const jwks = jwksKeys({ url: token.jwks, minRefetchMs: durationMs(token.jwksMinRefetch) });
    const attempt = (delay: number): void => {
      jwks.refresh().then(
        () => logger.info({ jwks: token.jwks }, 'token keys loaded'),
        (err: unknown) => {
          // fetch() says only "fetch failed"; the cause names the real problem (an untrusted certificate, say).
          const cause = (err as { cause?: { message?: unknown } }).cause?.message;
          const reason = typeof cause === 'string' ? `${(err as Error).message}: ${cause}` : (err as Error).message;
          logger.warn({ jwks: token.jwks, err: reason, retryInMs: delay }, 'token keys not loaded yet');
          setTimeout(() => attempt(Math.min(delay * 2, 30_000)), delay).unref();
        },
      );
    };
    attempt(500);
    sources.push(jwks);
  }
  return combineKeys(sources);
}

/** `cacheBytes`: what the controller may keep of verified credentials (cache.authBytes). */
export async function createConfiguredController(auth: RegistryConfig['auth'], logger: Logger, metrics?: MetricsRegistry, cacheBytes?: number): Promise<AccessController> {
  if (auth.token) {
    const { realm, service, issuer } = auth.token;
    const keys = await tokenKeys(auth.token, logger);
    const failures = metrics && counter(metrics, {
      name: 'wharf_registry_token_failures_total',
      help: 'Bearer tokens refused, by reason (expired, signature, untrusted_key, audience, insufficient_scope, …)',
      labelNames: ['reason'],
    });
    const onFailure = failures && ((reason: string) => failures.inc({ reason }));
    return createTokenController({ realm, service, issuer, keys, leewaySeconds: durationMs(auth.token.leeway) / 1000, cacheBytes, ...(onFailure ? { onFailure } : {}) });
  }
  if (auth.htpasswd) {
    return createHtpasswdController({ realm: auth.htpasswd.realm, entries: await loadHtpasswd(auth.htpasswd.path), cacheBytes });
  }
  return createNoneController();
}
