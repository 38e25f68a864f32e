/**
 * Any thrown value → the ErrorResult every surface renders. KrbopsErrors keep their code, message
 * and details; anything else becomes INTERNAL with a reference to the log line, never its message.
 */
import { CommandUsageError, ErrorCode, KrbopsError, userMessage } from '../src/errors.js';
import type { ErrorResult } from '../src/model/index.js';

export function errorResultOf(e: unknown, ref?: string): ErrorResult {
  if (e instanceof CommandUsageError) return { kind: 'error', code: e.code, message: e.message, usage: e.usage, details: e.details };
  if (e instanceof KrbopsError) return { kind: 'error', code: e.code, message: e.message, details: e.details };
  return { kind: 'error', code: ErrorCode.Internal, message: userMessage(e), details: ref ? { ref } : {} };
}
