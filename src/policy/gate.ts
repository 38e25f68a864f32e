/**
 * The access check and the command audit as hooks of the one plan-and-run path (commands/run.ts):
 * `authorize` before a command runs (a refusal is a NotAuthorizedError, so nothing runs and nothing
 * is queried for it), `observe` after every answer (one audit entry: who, surface, channel, command,
 * outcome, duration), and `visible` for `/krb help`, which lists only what the asker may run.
 */
import type { Logger } from 'pino';
import type { CommandAudit } from '../audit/recorder.js';
import { ErrorCode, NotAuthorizedError } from '../errors.js';
import { silentLogger } from '../log.js';
import type { AccessControl, EmailOf } from './access.js';
import { capabilityOf } from './capabilities.js';
import type { Asker, Place } from './types.js';

/** What the path knows of a request (structurally the path's CommandRequest). */
export interface GateRequest {
  actor: Asker;
  command: { path: readonly string[] };
  /** Slack channel / Teams conversation. */
  channel?: string;
  /** Where, as the policy needs it (direct message, Teams team); derived from `channel` when absent. */
  place?: Place;
  /** How the surface finds the asker's e-mail (only called for AD group rules). */
  emailOf?: EmailOf;
}

/** What the path reports after each answer (structurally the path's CommandObservation). */
export interface GateObservation {
  surface: Asker['surface'];
  command: string;
  outcome: 'ok' | 'error';
  code?: string;
  durationMs: number;
  actor: Asker;
  channel?: string;
  /** The words as typed (secrets are stripped before they are stored). */
  line?: string;
}

export interface CommandGate {
  authorize(request: GateRequest): Promise<void>;
  observe(observation: GateObservation): void;
  /** The commands of `commands` the asker may run here, for help. */
  visible<T extends { path: readonly string[] }>(commands: readonly T[], actor: Asker, place: Place | undefined, emailOf?: EmailOf): Promise<T[]>;
  /** Audit writes still in flight (tests, shutdown). */
  flush(): Promise<void>;
}

/** A place from a bare channel ID: Slack DMs start with D; Teams personal chats with `a:`. */
export function placeOf(actor: Asker, channel: string | undefined): Place | undefined {
  if (actor.surface !== 'slack' && actor.surface !== 'teams') return undefined;
  const direct = !!channel && (actor.surface === 'slack' ? /^D[A-Z0-9]+$/.test(channel) : channel.startsWith('a:'));
  return { surface: actor.surface, ...(channel ? { channelId: channel } : {}), direct };
}

export function createCommandGate(o: { access: AccessControl; audit?: CommandAudit; log?: Logger; now?: () => Date }): CommandGate {
  const log = o.log ?? silentLogger;
  const now = o.now ?? (() => new Date());
  const pending = new Set<Promise<void>>();
  return {
    async authorize(req) {
      const place = req.place ?? placeOf(req.actor, req.channel);
      const command = req.command.path.join(' ');
      const d = await o.access.authorize({ capability: capabilityOf(req.command.path), command, asker: req.actor, place }, req.emailOf);
      if (d.allowed) return;
      log.info({ user: req.actor.id, surface: req.actor.surface, channel: req.channel, command, refusal: d.refusal }, 'access: refused');
      throw new NotAuthorizedError(d.message, { refusal: d.refusal });
    },
    observe(obs) {
      if (!o.audit) return;
      const refused = obs.code === ErrorCode.NotAuthorized;
      const p = o.audit
        .record({
          at: new Date(now().getTime() - obs.durationMs).toISOString(),
          surface: obs.surface,
          actor: { id: obs.actor.id, ...(obs.actor.name ? { name: obs.actor.name } : {}) },
          ...(obs.channel ? { channelId: obs.channel } : {}),
          command: obs.command,
          ...(obs.line ? { text: obs.line } : {}),
          outcome: refused ? 'refused' : obs.outcome,
          ...(obs.code ? { code: obs.code } : {}),
          durationMs: obs.durationMs,
        })
        .finally(() => pending.delete(p));
      pending.add(p);
    },
    async visible(commands, actor, place, emailOf) {
      const allowed = new Set(await o.access.capabilities(actor, place, emailOf));
      return commands.filter((c) => allowed.has(capabilityOf(c.path)));
    },
    async flush() {
      await Promise.allSettled([...pending]);
    },
  };
}
