/**
 * The failures a person meets in the approvals flow. Not-allowed is NotAuthorizedError
 * (src/errors.ts); these two are bad input: a request that does not exist, or one whose state does
 * not allow the step (approving a rejected request, verifying a pending one).
 */
import { InvalidInputError, truncate } from '../errors.js';
import type { ApprovalStatus } from '../model/index.js';

export class ApprovalNotFoundError extends InvalidInputError {
  constructor(readonly id: string) {
    super(`There is no change request "${truncate(id, 40)}". "krb approvals" lists them.`, { id: truncate(id, 60) });
  }
}

export class ApprovalStateError extends InvalidInputError {
  constructor(
    readonly id: string,
    readonly status: ApprovalStatus,
    message: string,
  ) {
    super(message, { id, status });
  }
}

/** The pre-flight read of AD at request time found the change cannot be made or is not needed. */
export class ApprovalPreflightError extends InvalidInputError {
  constructor(readonly problems: string[]) {
    super(`krbops did not record the request: ${problems.slice(0, 5).join(' ')}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}`, { problems: problems.slice(0, 20) });
  }
}

/** At approval, AD no longer matches the request: nothing is handed off, the request stays pending. */
export class ApprovalStaleError extends InvalidInputError {
  constructor(
    readonly id: string,
    readonly changed: string[],
  ) {
    super(`${id} is stale, so nothing was handed off: ${changed.slice(0, 5).join(' ')}${changed.length > 5 ? ` (+${changed.length - 5} more)` : ''} Reject or cancel it, and request what is needed now.`, { id, changed: changed.slice(0, 20) });
  }
}
