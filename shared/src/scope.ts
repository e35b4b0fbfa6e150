// Access records and scope strings of the Docker token specification (scope.md):
// "repository:samalba/my-app:pull,push", "registry:catalog:*".

export type Action = 'pull' | 'push' | 'delete' | '*';

export interface AccessRecord {
  type: string;
  /** Resource class, e.g. "image" in "repository(image):…"; rarely sent. */
  class?: string;
  name: string;
  actions: string[];
}

// The name takes anything but whitespace: scopes are joined by spaces in a token request, so a
// name with a space would swallow the next scope.
const scopeGrammar = /^([a-z0-9]+)(?:\(([a-z0-9]+)\))?:(\S+):([a-z*]+(?:,[a-z*]+)*)$/;

/** Parses one scope string; undefined when it does not follow the grammar. */
export function parseScope(scope: string): AccessRecord | undefined {
  // The name may itself contain ':' (a host with a port), so the actions are split from the end.
  const match = scopeGrammar.exec(scope);
  if (!match) return undefined;
  const [, type, cls, name, actions] = match as unknown as [string, string, string | undefined, string, string];
  const record: AccessRecord = { type, name, actions: [...new Set(actions.split(','))] };
  if (cls) record.class = cls;
  return record;
}

export function formatScope(record: AccessRecord): string {
  const type = record.class ? `${record.type}(${record.class})` : record.type;
  return `${type}:${record.name}:${record.actions.join(',')}`;
}

/** Whether `granted` covers `action` on (type, name); "*" stands for every action. */
export function accessAllows(granted: readonly AccessRecord[], type: string, name: string, action: string): boolean {
  return granted.some(
    (r) => r.type === type && r.name === name && (r.actions.includes(action) || r.actions.includes('*')),
  );
}
