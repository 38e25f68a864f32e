/** JSON logs with pino; secrets are redacted wherever they appear in a logged object. */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Logger } from 'pino';

export const REDACT_PATHS = [
  'password', '*.password', 'bindPassword', '*.bindPassword', 'ldap.bindPassword',
  'token', '*.token', 'botToken', '*.botToken', 'appToken', '*.appToken',
  'signingSecret', '*.signingSecret', 'appPassword', '*.appPassword',
  'headers.authorization', '*.headers.authorization', 'req.headers.authorization',
];

/**
 * pino is required when a logger is created, not when this module is imported: a CLI run that logs
 * nothing (no LOG_LEVEL) never loads it (issue 15: start-up). pino is CommonJS, so require() gives
 * the same module an import would.
 */
const loadPino = () => (createRequire(import.meta.url)('pino') as typeof import('pino')).pino;

export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination?: NodeJS.WritableStream): Logger {
  return loadPino()({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: 'krbops' } }, destination as never);
}

const noop = () => undefined;
/**
 * A logger that writes nothing (CLI default, unit tests): pino's logger surface as no-ops, so
 * writing nothing loads nothing.
 */
export const silentLogger: Logger = (() => {
  const log = {
    level: 'silent',
    levelVal: Infinity,
    trace: noop,
    debug: noop,
    info: noop,
    warn: noop,
    error: noop,
    fatal: noop,
    silent: noop,
    child: () => log,
    bindings: () => ({}),
    setBindings: noop,
    isLevelEnabled: () => false,
    flush: (cb?: (err?: Error) => void) => cb?.(),
  };
  return log as unknown as Logger;
})();

/** The short reference an error reply shows and its log line carries ("log reference 1a2b3c4d"). */
export function newLogRef(): string {
  return randomUUID().slice(0, 8);
}
