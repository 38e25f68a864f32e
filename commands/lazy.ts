/**
 * A registry entry that imports its command module on first use (issue 15: a CLI run loads the
 * one command it runs; the bundle puts each command module in its own chunk). Planning, parsing and
 * help read the catalog entry only; `run` imports the module and runs it through the same spec.
 */
import type { AnyCommand, CommandInfo, CommandSpec, LazyCommand } from './types.js';

export function lazyCommand<R extends { kind: string }>(info: CommandInfo, importSpec: () => Promise<CommandSpec<R>>): LazyCommand<R> {
  let loaded: CommandSpec<R> | undefined;
  let loading: Promise<CommandSpec<R>> | undefined;
  const load = () =>
    (loading ??= importSpec().then((spec) => {
      if (spec.path.join(' ') !== info.path.join(' ')) throw new Error(`the module of "${info.path.join(' ')}" exports "${spec.path.join(' ')}"`);
      return (loaded = spec);
    }));
  const impl = (what: string): CommandSpec<R> => {
    if (!loaded) throw new Error(`${info.path.join(' ')}: ${what} before its module was loaded (call load() first)`);
    return loaded;
  };
  return {
    ...info,
    load,
    async run(ctx, args) {
      return (await load()).run(ctx, args);
    },
    ...(info.cliOptions?.length ? { cliPrepare: (args, cliOptions) => impl('cliPrepare').cliPrepare?.(args, cliOptions) } : {}),
    json(result) {
      const spec = impl('json');
      return spec.json ? spec.json(result) : result;
    },
  };
}

/** The command's own module, loaded (registry entries are lazy; a module's spec is returned as it is). */
export async function loadCommand(cmd: AnyCommand): Promise<AnyCommand> {
  return 'load' in cmd && typeof cmd.load === 'function' ? (cmd as LazyCommand).load() : cmd;
}
