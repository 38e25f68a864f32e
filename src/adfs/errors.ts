/**
 * ADFS metadata failures, one class per thing an operator can meet. All extend AdfsError
 * (src/errors.ts); `code` is AdfsUnavailable (could not get the document) or AdfsInvalid (got
 * something that is not usable federation metadata). Surfaces branch on the class or the code.
 */
import { AdfsError, ErrorCode } from '../errors.js';

/** The endpoint did not answer usefully: DNS, refused connection, reset, HTTP error status. */
export class AdfsUnavailableError extends AdfsError {
  constructor(message: string, options: { cause?: unknown; source: string; reason?: string; status?: number }) {
    super(ErrorCode.AdfsUnavailable, message, {
      cause: options.cause,
      details: { source: options.source, reason: options.reason, status: options.status },
    });
  }
}

/** No complete answer within the deadline (connect, TLS handshake, headers and body together). */
export class AdfsTimeoutError extends AdfsUnavailableError {
  constructor(source: string, readonly timeoutMs: number) {
    super(`No complete answer from ${source} within ${timeoutMs} ms.`, { source, reason: 'timeout' });
  }
}

/** The server's TLS certificate was not trusted or did not match the host name. */
export class AdfsTlsError extends AdfsUnavailableError {
  constructor(message: string, options: { cause?: unknown; source: string; reason: string }) {
    super(message, options);
  }
}

/** The document is not usable federation metadata: not XML, wrong root, undecodable. */
export class AdfsInvalidError extends AdfsError {
  constructor(message: string, options: { cause?: unknown; source?: string; reason?: string } = {}) {
    super(ErrorCode.AdfsInvalid, message, { cause: options.cause, details: { source: options.source, reason: options.reason } });
  }
}

/** Larger than the size cap (announced by Content-Length or counted while streaming). */
export class AdfsTooLargeError extends AdfsInvalidError {
  constructor(source: string, readonly maxBytes: number, seenBytes: number) {
    super(`The answer from ${source} is larger than ${maxBytes} bytes (${seenBytes} bytes seen); refused.`, { source, reason: 'too-large' });
  }
}

/**
 * The document declares a DOCTYPE or ENTITY (XXE, billion laughs). Federation metadata never needs
 * one, so the document is refused before any parser sees it; nothing is expanded or fetched.
 */
export class AdfsHostileXmlError extends AdfsInvalidError {
  constructor(source?: string) {
    super(`${source ? `The document from ${source}` : 'The document'} contains a DOCTYPE or ENTITY declaration; refused without expanding it.`, {
      source,
      reason: 'doctype',
    });
  }
}

/** The source itself is not acceptable (plain http://, unreadable file, file path from chat). */
export class AdfsSourceError extends AdfsError {
  constructor(message: string, source: string) {
    super(ErrorCode.InvalidInput, message, { details: { source } });
  }
}
