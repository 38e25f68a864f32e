/**
 * The local playground (loopback only): a page at `/` where a person types the same commands as in
 * chat and sees the Teams answer (the Adaptive Card, drawn by the official `adaptivecards` renderer,
 * served from the package) beside the Slack answer (its Block Kit blocks drawn by the page, plus the
 * JSON for Slack's Block Kit Builder). Buttons work against the local store.
 *
 *   GET  /                                  the page (playground/index.html)
 *   GET  /playground/{app.js,style.css}     its script and style
 *   GET  /playground/adaptivecards.js       the adaptivecards package's browser build (no CDN)
 *   POST /playground/api/command            { text, as }            → both answers
 *   POST /playground/api/action             { as, surface, verb, data | actionId, value } → both answers
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Application, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { CommandObservation } from '../../../commands/types.js';
import type { Actor } from '../../model/index.js';
import type { ChatApprovals } from '../../approvals/ports.js';
import type { Config } from '../../config.js';
import type { CoreOptions } from '../../core.js';
import type { HttpSurface } from '../../server.js';
import { runAction, type PlaygroundAction } from './actions.js';
import { answerText } from './run.js';

const require = createRequire(import.meta.url);

export interface PlaygroundOptions {
  config: Config;
  log: Logger;
  approvals?: ChatApprovals;
  core?: CoreOptions;
  observe?: (o: CommandObservation) => void;
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.replace(/^::ffff:/i, '');
  return a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a) || a === 'localhost';
}

/** The folder holding package.json (dist/src/… or src/… alike). */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** The demo people of the page: requests come from the engineer, the admin is the first of KRBOPS_ADMINS. */
export function playgroundActor(config: Config, as: unknown, surface: 'teams' | 'slack'): Actor {
  if (as === 'admin') return { surface, id: config.admins[0] ?? 'demo-admin', name: 'Demo admin (playground)' };
  return { surface, id: 'demo-engineer', name: 'Demo engineer (playground)' };
}

export function createPlaygroundSurface(o: PlaygroundOptions): HttpSurface {
  const root = packageRoot();
  const page = path.join(root, 'playground');
  const log = o.log.child({ surface: 'playground' });
  return {
    name: 'playground',
    mount(app: Application) {
      const loopbackOnly = (req: Request, res: Response, next: NextFunction) => {
        if (isLoopback(req.socket.remoteAddress)) return next();
        res.status(403).type('text/plain').send('The krbops playground answers on loopback only.');
      };
      const json = express.json({ limit: '64kb' });
      const headers = (_req: Request, res: Response, next: NextFunction) => {
        // Everything the page loads comes from this server: no CDN, no inline script.
        res.setHeader('Content-Security-Policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'");
        res.setHeader('X-Content-Type-Options', 'nosniff');
        next();
      };
      app.get('/', loopbackOnly, headers, (_req, res) => res.sendFile(path.join(page, 'index.html')));
      app.get('/playground/app.js', loopbackOnly, headers, (_req, res) => res.type('application/javascript').sendFile(path.join(page, 'app.js')));
      app.get('/playground/style.css', loopbackOnly, headers, (_req, res) => res.type('text/css').sendFile(path.join(page, 'style.css')));
      app.get('/playground/adaptivecards.js', loopbackOnly, headers, (_req, res) => res.type('application/javascript').sendFile(require.resolve('adaptivecards/dist/adaptivecards.min.js')));
      app.get('/playground/adaptivecards.css', loopbackOnly, headers, (_req, res) => res.type('text/css').sendFile(require.resolve('adaptivecards/dist/adaptivecards.css')));
      app.get('/playground/api/info', loopbackOnly, (_req, res) => {
        res.json({ demo: !!o.config.demo, directory: o.config.ldifFile ? `file:${path.basename(o.config.ldifFile)}` : o.config.ldap?.urls.join(', ') ?? null, admin: playgroundActor(o.config, 'admin', 'teams').id });
      });
      app.post('/playground/api/command', loopbackOnly, json, async (req, res, next) => {
        try {
          const b = (req.body ?? {}) as Record<string, unknown>;
          const text = typeof b.text === 'string' ? b.text.slice(0, 4000) : '';
          const actor = playgroundActor(o.config, b.as, 'teams');
          res.json(await answerText(text, actor, { config: o.config, log, core: o.core, hooks: { observe: o.observe } }));
        } catch (e) {
          next(e);
        }
      });
      app.post('/playground/api/action', loopbackOnly, json, async (req, res, next) => {
        try {
          const b = (req.body ?? {}) as Record<string, unknown>;
          const surface = b.surface === 'slack' ? 'slack' : 'teams';
          const action: PlaygroundAction = {
            surface,
            verb: typeof b.verb === 'string' ? b.verb : undefined,
            data: b.data,
            actionId: typeof b.actionId === 'string' ? b.actionId : undefined,
            value: typeof b.value === 'string' ? b.value : undefined,
          };
          res.json(await runAction(action, playgroundActor(o.config, b.as, surface), o.approvals, log));
        } catch (e) {
          next(e);
        }
      });
      log.info('playground mounted at / (loopback only)');
    },
  };
}
