// Which options and how many arguments each `wharf` command takes. An option or argument a
// command would ignore (`wharf index --workers 4`, `wharf gc now`) is a usage error: silently
// dropping it lets a user believe it took effect.

interface CommandShape {
  options: readonly string[];
  /** The most positional arguments after the command (subcommand included). */
  maxArgs: number;
}

const shapes: Record<string, CommandShape> = {
  registry: { options: ['config', 'workers'], maxArgs: 0 },
  // serve takes --workers only to explain that it runs one process.
  serve: { options: ['config', 'workers'], maxArgs: 0 },
  index: { options: ['config'], maxArgs: 0 },
  user: { options: ['config', 'admin', 'email'], maxArgs: 2 },
  config: { options: ['config'], maxArgs: 2 },
  gc: { options: ['config', 'dry-run', 'grace'], maxArgs: 0 },
  catalog: { options: ['config'], maxArgs: 1 },
};

/**
 * The usage error for options or arguments the command does not take, or undefined when all of
 * them apply (and for unknown commands, which are reported as such elsewhere).
 */
export function commandMisuse(command: string, given: Record<string, unknown>, args: readonly string[]): string | undefined {
  const shape = shapes[command];
  if (!shape) return undefined;
  const stray = Object.keys(given).filter((name) => given[name] !== undefined && name !== 'help' && !shape.options.includes(name));
  if (stray.length > 0) {
    const takes = shape.options.map((name) => `--${name}`).join(', ');
    return `wharf ${command}: ${stray.map((name) => `--${name}`).join(', ')} does not apply to this command (it takes ${takes})`;
  }
  if (args.length > shape.maxArgs) {
    return `wharf ${command}: unexpected argument ${JSON.stringify(args[shape.maxArgs])}`;
  }
  return undefined;
}
