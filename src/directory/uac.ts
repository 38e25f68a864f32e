/** userAccountControl and msDS-SupportedEncryptionTypes, decoded. Pure. */
import type { UacFlags } from '../model/index.js';

/** https://learn.microsoft.com/troubleshoot/windows-server/active-directory/useraccountcontrol-manipulate-account-properties */
export const UAC = {
  SCRIPT: 0x1,
  ACCOUNTDISABLE: 0x2,
  HOMEDIR_REQUIRED: 0x8,
  LOCKOUT: 0x10,
  PASSWD_NOTREQD: 0x20,
  PASSWD_CANT_CHANGE: 0x40,
  ENCRYPTED_TEXT_PWD_ALLOWED: 0x80,
  TEMP_DUPLICATE_ACCOUNT: 0x100,
  NORMAL_ACCOUNT: 0x200,
  INTERDOMAIN_TRUST_ACCOUNT: 0x800,
  WORKSTATION_TRUST_ACCOUNT: 0x1000,
  SERVER_TRUST_ACCOUNT: 0x2000,
  DONT_EXPIRE_PASSWORD: 0x10000,
  MNS_LOGON_ACCOUNT: 0x20000,
  SMARTCARD_REQUIRED: 0x40000,
  TRUSTED_FOR_DELEGATION: 0x80000,
  NOT_DELEGATED: 0x100000,
  USE_DES_KEY_ONLY: 0x200000,
  DONT_REQ_PREAUTH: 0x400000,
  PASSWORD_EXPIRED: 0x800000,
  TRUSTED_TO_AUTH_FOR_DELEGATION: 0x1000000,
  PARTIAL_SECRETS_ACCOUNT: 0x4000000,
} as const;

export function decodeUac(raw: number): UacFlags {
  const has = (bit: number) => (raw & bit) !== 0;
  return {
    raw,
    disabled: has(UAC.ACCOUNTDISABLE),
    lockout: has(UAC.LOCKOUT),
    passwordNotRequired: has(UAC.PASSWD_NOTREQD),
    normalAccount: has(UAC.NORMAL_ACCOUNT),
    workstationTrust: has(UAC.WORKSTATION_TRUST_ACCOUNT),
    serverTrust: has(UAC.SERVER_TRUST_ACCOUNT),
    dontExpirePassword: has(UAC.DONT_EXPIRE_PASSWORD),
    smartcardRequired: has(UAC.SMARTCARD_REQUIRED),
    trustedForDelegation: has(UAC.TRUSTED_FOR_DELEGATION),
    notDelegated: has(UAC.NOT_DELEGATED),
    useDesKeyOnly: has(UAC.USE_DES_KEY_ONLY),
    dontRequirePreauth: has(UAC.DONT_REQ_PREAUTH),
    trustedToAuthForDelegation: has(UAC.TRUSTED_TO_AUTH_FOR_DELEGATION),
    partialSecretsAccount: has(UAC.PARTIAL_SECRETS_ACCOUNT),
    names: Object.entries(UAC).filter(([, bit]) => has(bit)).map(([name]) => name),
  };
}

/** msDS-SupportedEncryptionTypes bits. https://learn.microsoft.com/openspecs/windows_protocols/ms-kile/6cfc7b50-11ed-4b4d-846d-6f08f0812919 */
export const ENCTYPE_BITS: [number, string][] = [
  [0x1, 'DES-CBC-CRC'],
  [0x2, 'DES-CBC-MD5'],
  [0x4, 'RC4-HMAC'],
  [0x8, 'AES128-CTS-HMAC-SHA1-96'],
  [0x10, 'AES256-CTS-HMAC-SHA1-96'],
  [0x20, 'AES256-CTS-HMAC-SHA1-96-SK'],
];

export function decodeEncryptionTypes(value: number | undefined): string[] {
  if (value === undefined) return [];
  return ENCTYPE_BITS.filter(([bit]) => (value & bit) !== 0).map(([, name]) => name);
}

/** Windows FILETIME (100-ns ticks since 1601) → ISO-8601; 0 and "never" → undefined. */
export function fileTimeToIso(value: string | undefined): string | undefined {
  if (!value || value === '0' || value === '9223372036854775807') return undefined;
  try {
    const ms = Number(BigInt(value) / 10000n - 11644473600000n);
    return new Date(ms).toISOString();
  } catch {
    return undefined;
  }
}

/** LDAP GeneralizedTime (20261121235230.0Z) → ISO-8601. */
export function generalizedTimeToIso(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,](\d+))?(Z|[+-]\d{4})?$/.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (tz && tz !== 'Z') {
    const sign = tz[0] === '-' ? -1 : 1;
    t -= sign * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(3, 5))) * 60_000;
  }
  return new Date(t).toISOString();
}
