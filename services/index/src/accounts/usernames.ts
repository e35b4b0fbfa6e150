// Account and organization names follow Docker Hub's rule: 4 to 30 lowercase letters or digits.
// A name is also a namespace, so names that would confuse routing or users are reserved.

const nameGrammar = /^[a-z0-9]{4,30}$/;

const reserved = new Set([
  'admin', 'administrator', 'root', 'library', 'official', 'system', 'support', 'help', 'wharf',
  'registry', 'index', 'token', 'tokens', 'login', 'logout', 'signup', 'settings', 'search',
  'users', 'orgs', 'repositories', 'static', 'assets', 'public', 'private', 'anonymous', 'null',
  'undefined', 'docker', 'catalog', 'events', 'keys', 'webhooks',
]);

export function usernameProblem(name: string): string | undefined {
  if (!nameGrammar.test(name)) return 'must be 4 to 30 lowercase letters or digits';
  if (reserved.has(name)) return 'is reserved';
  return undefined;
}
