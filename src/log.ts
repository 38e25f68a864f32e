/** JSON logs with pino; secrets are redacted wherever they appear in a logged object. */
import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';

export const REDACT_PATHS = [
  'password', '*.password', 'bindPassword', '*.bindPassword', 'ldap.bindPassword',
  'token', '*.token', 'botToken', '*.botToken', 'appToken', '*.appToken',
  'signingSecret', '*.signingSecret', 'appPassword', '*.appPassword',
  'headers.authorization', '*.headers.authorization', 'req.headers.authorization',
];

export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination?: NodeJS.WritableStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: 'krbops' } }, destination as never);
}

/** A logger that writes nothing (CLI default, unit tests). */
export const silentLogger: Logger = pino({ level: 'silent' });

/** The short reference an error reply shows and its log line carries ("log reference 1a2b3c4d"). */
export function newLogRef(): string {
  return randomUUID().slice(0, 8);
}
