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
