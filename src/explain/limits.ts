/** Longest text `krb explain` reads; pasted event logs can be long, and a pasted Negotiate header with a large PAC is up to 64 KB of base64. */
export const MAX_EXPLAIN_LENGTH = 90_000;
