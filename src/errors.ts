/**
 * Coded errors. Surfaces branch on `code` (or the class), never on message text.
 * Messages are written for the person on call: one line, what failed and why, no secrets.
 */
export const ErrorCode = {
  ConfigInvalid: 'CONFIG_INVALID',
  CommandUsage: 'COMMAND_USAGE',
  DirectoryUnavailable: 'DIRECTORY_UNAVAILABLE',
  DirectoryTls: 'DIRECTORY_TLS',
  DirectoryAuth: 'DIRECTORY_AUTH',
  DirectoryRights: 'DIRECTORY_RIGHTS',
  DirectoryTimeout: 'DIRECTORY_TIMEOUT',
  DirectoryProtocol: 'DIRECTORY_PROTOCOL',
  AccountNotFound: 'ACCOUNT_NOT_FOUND',
  InvalidInput: 'INVALID_INPUT',
  /** A value krbops would print into a command is not what it claims to be (src/fix refuses it). */
  UnsafeCommandValue: 'UNSAFE_COMMAND_VALUE',
  ProbeTimeout: 'PROBE_TIMEOUT',
  /** The Kerberos helper process (src/collectors/kerberos-helper.ts) ended or could not start while a probe waited for it. */
  KerberosHelper: 'KERBEROS_HELPER',
  AdfsUnavailable: 'ADFS_UNAVAILABLE',
  AdfsInvalid: 'ADFS_INVALID',
  StoreFailed: 'STORE_FAILED',
  NotAuthorized: 'NOT_AUTHORIZED',
  /** The scheduler refused or stopped a job run (unknown job, stopped scheduler, shutdown, lost lease). */
  JobRefused: 'JOB_REFUSED',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class KrbopsError extends Error {
  readonly code: ErrorCode;
  /** Extra, secret-free details a card or `--json` may show. */
  readonly details: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
  }
}

export class ConfigError extends KrbopsError {
  constructor(readonly variable: string, message: string) {
    super(ErrorCode.ConfigInvalid, `${variable}: ${message}`, { details: { variable } });
  }
}

/** Bad arguments: the surface answers with the usage text. */
export class CommandUsageError extends KrbopsError {
  constructor(message: string, readonly usage: string) {
    super(ErrorCode.CommandUsage, message, { details: { usage } });
  }
}

export class InvalidInputError extends KrbopsError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(ErrorCode.InvalidInput, message, { details });
  }
}

/**
 * src/fix refused to put a value into a command: it is not what it claims to be (a host that is not
 * a DNS name or IP literal, an SPN starting with "-", an account name with shell characters…).
 * `details.kind` names what was expected, `details.value` the value (shortened).
 */
export class UnsafeCommandValueError extends KrbopsError {
  constructor(readonly kind: string, value: string, reason: string) {
    super(ErrorCode.UnsafeCommandValue, `krbops will not print "${truncate(value, 80)}" as ${kind} in a command: ${reason}.`, { details: { kind, value: truncate(value, 200) } });
  }
}

export class DirectoryError extends KrbopsError {}

/** No DC answered: every URL was tried. `server` names the last one, `reason` the socket error. */
export class DirectoryUnavailableError extends DirectoryError {
  constructor(message: string, options: { cause?: unknown; servers: string[] }) {
    super(ErrorCode.DirectoryUnavailable, message, { cause: options.cause, details: { servers: options.servers } });
  }
}
export class DirectoryTlsError extends DirectoryError {
  constructor(message: string, options: { cause?: unknown; server: string }) {
    super(ErrorCode.DirectoryTls, message, { cause: options.cause, details: { server: options.server } });
  }
}
export class DirectoryAuthError extends DirectoryError {
  constructor(message: string, options: { cause?: unknown; server: string }) {
    super(ErrorCode.DirectoryAuth, message, { cause: options.cause, details: { server: options.server } });
  }
}
export class DirectoryRightsError extends DirectoryError {
  constructor(message: string, options: { cause?: unknown; server: string }) {
    super(ErrorCode.DirectoryRights, message, { cause: options.cause, details: { server: options.server } });
  }
}
export class DirectoryTimeoutError extends DirectoryError {
  constructor(message: string, options: { cause?: unknown; server: string }) {
    super(ErrorCode.DirectoryTimeout, message, { cause: options.cause, details: { server: options.server } });
  }
}
/** Every connection of the directory pool stayed busy for LDAP_POOL_WAIT_MS (src/directory/ldap-pool.ts). */
export class DirectoryPoolTimeoutError extends DirectoryTimeoutError {}
export class DirectoryProtocolError extends DirectoryError {
  constructor(message: string, options: { cause?: unknown; server: string }) {
    super(ErrorCode.DirectoryProtocol, message, { cause: options.cause, details: { server: options.server } });
  }
}

export class AccountNotFoundError extends KrbopsError {
  constructor(readonly query: string, readonly suggestions: string[] = []) {
    super(
      ErrorCode.AccountNotFound,
      `No account matches "${truncate(query, 80)}"` + (suggestions.length ? `. Did you mean: ${suggestions.join(', ')}?` : '.'),
      { details: { query: truncate(query, 200), suggestions } },
    );
  }
}

export class ProbeError extends KrbopsError {}

export class AdfsError extends KrbopsError {}

export class StoreError extends KrbopsError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.StoreFailed, message, { cause });
  }
}

/** The actor may not do this (approve without being in KRBOPS_ADMINS, approve their own request…). Nothing was changed. */
export class NotAuthorizedError extends KrbopsError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(ErrorCode.NotAuthorized, message, { details });
  }
}

/** The scheduler refused a job or stopped a run: the message says which and why. */
export class JobError extends KrbopsError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(ErrorCode.JobRefused, message, { details });
  }
}

export function isKrbopsError(e: unknown): e is KrbopsError {
  return e instanceof KrbopsError;
}

/** Shortens user-supplied text before it is echoed back (a 10 000-character argument must not flood a reply). */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The one-line reason a surface shows for any error; unknown errors do not leak internals. */
export function userMessage(e: unknown): string {
  if (e instanceof KrbopsError) return e.message;
  return 'Internal error in krbops; the details are in the bot log.';
}
