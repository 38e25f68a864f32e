/**
 * Kerberos error codes (RFC 4120 §7.5.9, plus RFC 4556/6113 codes a KDC sends) and encryption
 * types (RFC 3961/3962/4757/8009 and the IANA registry). Names as printed by Windows and MIT,
 * except 35, which krbops prints as Windows' event logs do (KRB_AP_ERR_NOTUS; RFC 4120 writes KRB_AP_ERR_NOT_US).
 */

const ERRORS: Record<number, [string, string]> = {
  0: ['KDC_ERR_NONE', 'no error'],
  1: ['KDC_ERR_NAME_EXP', "the client's entry in the database has expired"],
  2: ['KDC_ERR_SERVICE_EXP', "the server's entry in the database has expired"],
  3: ['KDC_ERR_BAD_PVNO', 'requested protocol version not supported'],
  6: ['KDC_ERR_C_PRINCIPAL_UNKNOWN', 'client not found in the Kerberos database'],
  7: ['KDC_ERR_S_PRINCIPAL_UNKNOWN', 'server not found in the Kerberos database: no account holds this SPN, or (in AD) more than one does'],
  8: ['KDC_ERR_PRINCIPAL_NOT_UNIQUE', 'multiple principal entries in the database'],
  12: ['KDC_ERR_POLICY', 'KDC policy rejects the request'],
  13: ['KDC_ERR_BADOPTION', 'KDC cannot accommodate the requested option (often: delegation not allowed)'],
  14: ['KDC_ERR_ETYPE_NOSUPP', 'KDC has no support for the encryption type (no common key type, or the account has no keys)'],
  18: ['KDC_ERR_CLIENT_REVOKED', "the client's credentials have been revoked (account disabled or locked)"],
  23: ['KDC_ERR_KEY_EXPIRED', 'password has expired'],
  24: ['KDC_ERR_PREAUTH_FAILED', 'pre-authentication failed (wrong password)'],
  25: ['KDC_ERR_PREAUTH_REQUIRED', 'additional pre-authentication required'],
  29: ['KDC_ERR_SVC_UNAVAILABLE', 'a service is not available'],
  31: ['KRB_AP_ERR_BAD_INTEGRITY', 'integrity check on decrypted field failed: the server\'s key does not decrypt the ticket'],
  32: ['KRB_AP_ERR_TKT_EXPIRED', 'ticket expired'],
  33: ['KRB_AP_ERR_TKT_NYV', 'ticket not yet valid'],
  34: ['KRB_AP_ERR_REPEAT', 'request is a replay'],
  35: ['KRB_AP_ERR_NOTUS', "the ticket isn't for us: the server has no key for the ticket's service name"],
  36: ['KRB_AP_ERR_BADMATCH', "ticket and authenticator don't match"],
  37: ['KRB_AP_ERR_SKEW', 'clock skew too great'],
  38: ['KRB_AP_ERR_BADADDR', 'incorrect net address'],
  39: ['KRB_AP_ERR_BADVERSION', 'protocol version mismatch'],
  40: ['KRB_AP_ERR_MSG_TYPE', 'invalid message type'],
  41: ['KRB_AP_ERR_MODIFIED', 'message stream modified: the server\'s key does not decrypt the ticket'],
  42: ['KRB_AP_ERR_BADORDER', 'message out of order'],
  44: ['KRB_AP_ERR_BADKEYVER', 'specified version of key is not available: the keytab is older (or newer) than the account\'s password'],
  45: ['KRB_AP_ERR_NOKEY', 'service key not available'],
  46: ['KRB_AP_ERR_MUT_FAIL', 'mutual authentication failed'],
  47: ['KRB_AP_ERR_BADDIRECTION', 'incorrect message direction'],
  48: ['KRB_AP_ERR_METHOD', 'alternative authentication method required'],
  49: ['KRB_AP_ERR_BADSEQ', 'incorrect sequence number in message'],
  50: ['KRB_AP_ERR_INAPP_CKSUM', 'inappropriate type of checksum in message'],
  52: ['KRB_ERR_RESPONSE_TOO_BIG', 'response too big for UDP; retry with TCP'],
  60: ['KRB_ERR_GENERIC', 'generic error'],
  61: ['KRB_ERR_FIELD_TOOLONG', 'field is too long for this implementation'],
  68: ['KDC_ERR_WRONG_REALM', 'wrong realm'],
};

/** The RFC 4120 name of an error code, e.g. 44 → KRB_AP_ERR_BADKEYVER. */
export function kerberosErrorName(code: number): string {
  return ERRORS[code]?.[0] ?? `KRB_ERROR_${code}`;
}

/** What the error means, one phrase. */
export function kerberosErrorMeaning(code: number): string {
  return ERRORS[code]?.[1] ?? `Kerberos error ${code}`;
}

/** Code for a name as pasted (KRB_AP_ERR_NOT_US and KRB_AP_ERR_NOTUS both work). */
export function kerberosErrorCode(name: string): number | undefined {
  const n = name.toUpperCase().replace(/NOT_US$/, 'NOTUS');
  for (const [code, [known]] of Object.entries(ERRORS)) if (known === n) return Number(code);
  return undefined;
}

/** 31, 35, 41: "the server cannot decrypt this ticket" (MIT says 31 or 35, Windows 41). */
export const CANNOT_DECRYPT = [31, 35, 41] as const;

/**
 * MIT krb5 messages (com_err texts, as the GSSAPI minor status shows them) for the KDC errors a
 * client meets before it has a ticket, mapped to their codes. The KDC's own code is not exposed
 * through GSSAPI; these texts are fixed strings of krb5_err.et.
 */
const MIT_MESSAGES: [RegExp, number][] = [
  [/Server not found in Kerberos database/i, 7],
  [/Client not found in Kerberos database/i, 6],
  [/KDC has no support for encryption type/i, 14],
  [/Client's credentials have been revoked/i, 18],
  [/KDC policy rejects request/i, 12],
  [/KDC can't fulfill requested option/i, 13],
  [/Password has expired/i, 23],
  [/Preauthentication failed|Password incorrect/i, 24],
  [/Clock skew too great/i, 37],
  [/Ticket expired/i, 32],
  [/Key version is not available/i, 44],
  [/Decrypt integrity check failed/i, 31],
  [/Message stream modified/i, 41],
  [/Wrong principal in request/i, 35],
];

/** Code for an MIT error message, when it is one of the above. */
export function codeOfMitMessage(message: string): number | undefined {
  return MIT_MESSAGES.find(([re]) => re.test(message))?.[1];
}

const ETYPES: Record<number, string> = {
  1: 'des-cbc-crc',
  3: 'des-cbc-md5',
  16: 'des3-cbc-sha1',
  17: 'aes128-cts-hmac-sha1-96',
  18: 'aes256-cts-hmac-sha1-96',
  19: 'aes128-cts-hmac-sha256-128',
  20: 'aes256-cts-hmac-sha384-192',
  23: 'rc4-hmac',
  24: 'rc4-hmac-exp',
};

/** Name of an encryption type number, e.g. 23 → rc4-hmac. */
export function etypeName(etype: number): string {
  return ETYPES[etype] ?? `etype ${etype}`;
}
