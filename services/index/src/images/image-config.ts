// The fields of an image's config blob (OCI image-spec config.md, Docker's v1 image JSON) the
// tag page shows. Only well-typed values are kept: the blob is pushed by users.
export interface HistoryEntry {
  created?: string;
  createdBy?: string;
  comment?: string;
  emptyLayer: boolean;
}

export interface ImageConfig {
  os?: string;
  architecture?: string;
  variant?: string;
  created?: string;
  author?: string;
  entrypoint?: string[];
  cmd?: string[];
  env: string[];
  exposedPorts: string[];
  labels: [string, string][];
  workingDir?: string;
  user?: string;
  history: HistoryEntry[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : undefined);

/** Reads a parsed config blob; undefined when it is not a JSON object. */
export function readImageConfig(blob: unknown): ImageConfig | undefined {
  if (!isObject(blob)) return undefined;
  const run = isObject(blob.config) ? blob.config : {};
  const labels = isObject(run.Labels) ? Object.entries(run.Labels).filter((e): e is [string, string] => typeof e[1] === 'string') : [];
  const history = Array.isArray(blob.history)
    ? blob.history.filter(isObject).map((h) => ({ created: str(h.created), createdBy: str(h.created_by), comment: str(h.comment), emptyLayer: h.empty_layer === true }))
    : [];
  return {
    os: str(blob.os),
    architecture: str(blob.architecture),
    variant: str(blob.variant),
    created: str(blob.created),
    author: str(blob.author),
    entrypoint: strings(run.Entrypoint),
    cmd: strings(run.Cmd),
    env: strings(run.Env) ?? [],
    exposedPorts: isObject(run.ExposedPorts) ? Object.keys(run.ExposedPorts) : [],
    labels,
    workingDir: str(run.WorkingDir),
    user: str(run.User),
    history,
  };
}
