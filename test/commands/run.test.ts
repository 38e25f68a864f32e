/** The one plan-and-run path (commands/run.ts): authorize before, observe after, errors as results. */
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../commands/run.js';
import type { CommandObservation, CommandSpec } from '../../commands/types.js';
import { loadConfig } from '../../src/config.js';
import { NotAuthorizedError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';

const ran: string[] = [];
const echo: CommandSpec<{ kind: 'echo'; said: string }> = {
  path: ['test', 'echo'],
  summary: 'echo',
  positionals: [{ name: 'word', required: true, description: 'a word' }],
  options: [],
  examples: [],
  defaultVisibility: 'ephemeral',
  async run(_ctx, args) {
    const said = String(args.positionals.word);
    if (said === 'boom') throw new Error('secret internals');
    ran.push(said);
    return { kind: 'echo', said };
  },
};
const config = loadConfig({});
const actor = { surface: 'slack' as const, id: 'U1', name: 'alice' };

describe('runCommand', () => {
  it('runs, and tells the observer once', async () => {
    const seen: CommandObservation[] = [];
    const out = await runCommand({ actor, command: echo, args: { positionals: { word: 'hi' }, options: {} }, channel: 'C1' }, { config, log: silentLogger, hooks: { observe: (o) => seen.push(o) } });
    expect(out).toMatchObject({ ok: true, result: { kind: 'echo', said: 'hi' } });
    expect(seen).toMatchObject([{ surface: 'slack', command: 'test echo', outcome: 'ok', channel: 'C1', actor }]);
  });

  it('lets authorize refuse before the command runs; the refusal is the answer', async () => {
    const seen: CommandObservation[] = [];
    const out = await runCommand(
      { actor, command: echo, args: { positionals: { word: 'never' }, options: {} } },
      { config, log: silentLogger, hooks: { authorize: () => { throw new NotAuthorizedError('not here'); }, observe: (o) => seen.push(o) } },
    );
    expect(out).toMatchObject({ ok: false, result: { kind: 'error', code: 'NOT_AUTHORIZED', message: 'not here' } });
    expect(ran).not.toContain('never');
    expect(seen).toMatchObject([{ outcome: 'error', code: 'NOT_AUTHORIZED' }]);
  });

  it('hides an internal error behind a log reference', async () => {
    const out = await runCommand({ actor, command: echo, args: { positionals: { word: 'boom' }, options: {} } }, { config, log: silentLogger });
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.result.code).toBe('INTERNAL');
    expect(out.result.message).not.toContain('secret');
    expect(out.result.details).toEqual({ ref: out.ref });
  });
});
