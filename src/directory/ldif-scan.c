/*
 * The LDIF index pass's line scanner (./ldif-scan.ts), compiled to WebAssembly with SIMD:
 *
 *   npm run build:wasm   (clang-14 --target=wasm32 -msimd128; writes ./ldif-scan-wasm.ts)
 *
 * Issue 15 asks for a 200 000-object export analysed at close to the speed of reading the file. In
 * JavaScript every line costs a native `indexOf` call and a dispatch on its first bytes, as much as
 * reading the file itself; here a line costs a few SIMD compares. The rules are those of the
 * JavaScript scanner it replaced, one for one: a line is looked at only as far as its first byte
 * unless that byte can begin one of the attribute names the index reads; a record in the fast path
 * comes out as byte ranges (no copy); anything unusual hands the record's block, whole, to the full
 * reader (./ldif-parse.ts). Where the JavaScript read past the end of the bytes (undefined, never
 * equal), this code checks the bound.
 *
 * Output, per block, in `rec` (REC_W int32 each, offsets relative to the bytes passed):
 *   0 kind (1: fast record, 2: the full reader's block)  1 block start  2 block end  3 line before it
 *   4 record start  5 record end  6 line of its dn:  7-18 value ranges (dn, sAMAccountName,
 *   userPrincipalName, dNSHostName, whenChanged, uSNChanged; -1: absent)  19 objectClass bits
 *   20 first SPN in `spn` (start, end, key hash)  21 SPNs  22-25 key hashes of the dn,
 *   sAMAccountName, userPrincipalName and dNSHostName (the index's key hash over ASCII-lower-cased
 *   bytes, ./ldif-index.ts keyHash)  26 where the dn's domain (its trailing DC= components) begins, or -1
 *   27 1: an account, 0: not, -1: the index declines the record (a group, a DC= head, a key that is
 *   not ASCII: ./ldif-build.ts reads those from the full reader's text)
 * and in `greatest()` the ranges of the greatest whenChanged and uSNChanged among the records the
 * index takes (row 27 not -1), for the index's "newest change" and highest USN.
 *
 * In index mode (index_at() before the call) a record the index takes gets no row: it is appended
 * to tables shaped as the index's (index_out()), with spn dupes' hashes of its SPNs, and the call
 * stops after the first block it hands to the full reader. The `dupes_*` functions at the end find
 * spn dupes' candidates over those hashes.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define REC_W 28
#define REC_CAP 4096
#define SPN_CAP 16384
/* Index mode's output arenas: the SPN holders' bytes, the lower-cased sAMAccountNames, the domains. */
#define STORE_CAP (1 << 20)
#define NAME_CAP (1 << 18)
#define DOMAIN_CAP (1 << 16)
#define PIECE_CAP (REC_CAP + SPN_CAP)
/* Numbers per piece in `piece_hash`: spn dupes' two hashes of the trimmed SPN and of its HOST/ alias, its class's key hash, flags. */
#define HASH_W 6
#define P_SKIP 1
#define P_CLASS 2
#define P_HASHED 4 /* on a holder's DN piece: its SPN pieces carry the hashes */
#define P_ALIAS 8  /* the alias hashes are the SPN's own (./ldif-dupes.ts: a class mapped to another target, a holder read as text) */

static int32_t rec[REC_CAP * REC_W];
static int32_t spn[SPN_CAP * 3];
static int32_t rec_n;
static int32_t spn_n;
static int32_t full;
static int32_t line_no;

/* The greatest whenChanged and uSNChanged of this call's accepted records: start, end of each (-1: none). */
static int32_t best[4];

/*
 * Index mode (index_at() before each scan(); ./ldif-build.ts IndexBuilder.bulk): a record the index
 * takes is appended here, to tables shaped as the index's own, and gets no row in `rec`; the call
 * stops after the first block it hands to the full reader, so entry numbers stay in file order.
 */
static int32_t index_mode;
static double base_off;  /* the file offset of the bytes' first byte */
static int32_t next_idx, names_at, store_at, pieces_at, holders_at; /* where the index's own tables stand */
static int32_t stop_after;

static double slot[REC_CAP * 3];      /* start, end, line (Slots) */
static uint8_t slot_flag[REC_CAP];
static int32_t pairs[5][SPN_CAP * 2]; /* key, entry: dn, sAMAccountName, userPrincipalName, dNSHostName, SPN (HashIndex) */
static uint8_t name_byte[NAME_CAP];   /* NameList */
static int32_t name_end[REC_CAP], name_idx[REC_CAP];
static uint8_t store_byte[STORE_CAP]; /* SpnStore: a holder's DN, then its SPNs as written */
static int32_t piece_end[PIECE_CAP];
static uint32_t piece_hash[PIECE_CAP * HASH_W];
static int32_t holder_first[REC_CAP], holder_slot[REC_CAP];
static uint8_t domain_byte[DOMAIN_CAP]; /* runs of accounts in one domain: start, length, count */
static int32_t domain_run[REC_CAP * 3];

/* Counts of this call's output, in this order (IndexBuilder.bulk reads them with the tables' addresses). */
static int32_t n_slots, n_pairs[5], n_names, name_used, n_pieces, store_used, n_holders, n_domains, domain_used, n_objects, n_accounts;
static int32_t out_table[32];

void index_at(double base, int32_t idx, int32_t names, int32_t store, int32_t pieces, int32_t holders) {
  index_mode = 1;
  base_off = base;
  next_idx = idx;
  names_at = names;
  store_at = store;
  pieces_at = pieces;
  holders_at = holders;
}

int32_t *index_out(void) {
  int32_t *t = out_table, k = 0;
  t[k++] = n_slots;
  for (int i = 0; i < 5; i++) t[k++] = n_pairs[i];
  t[k++] = n_names;
  t[k++] = name_used;
  t[k++] = n_pieces;
  t[k++] = store_used;
  t[k++] = n_holders;
  t[k++] = n_domains;
  t[k++] = n_objects;
  t[k++] = n_accounts;
  t[k++] = (int32_t)slot;
  t[k++] = (int32_t)slot_flag;
  for (int i = 0; i < 5; i++) t[k++] = (int32_t)pairs[i];
  t[k++] = (int32_t)name_byte;
  t[k++] = (int32_t)name_end;
  t[k++] = (int32_t)name_idx;
  t[k++] = (int32_t)store_byte;
  t[k++] = (int32_t)piece_end;
  t[k++] = (int32_t)piece_hash;
  t[k++] = (int32_t)holder_first;
  t[k++] = (int32_t)holder_slot;
  t[k++] = (int32_t)domain_byte;
  t[k++] = (int32_t)domain_run;
  return t;
}

int32_t *recs(void) { return rec; }
int32_t *greatest(void) { return best; }
int32_t *spns(void) { return spn; }
int32_t rec_count(void) { return rec_n; }
int32_t stopped_full(void) { return full; }
int32_t lines(void) { return line_no; }
void set_lines(int32_t n) { line_no = n; }
extern unsigned char __heap_base;
uint32_t heap_base(void) { return (uint32_t)&__heap_base; }

#define LF 0x0a
#define CR 0x0d
#define SPACE 0x20
#define COLON 0x3a
#define SEMI 0x3b
#define LT 0x3c
#define HASH 0x23

#define CLASS_ANY 1
#define CLASS_USER 2
#define CLASS_COMPUTER 4
#define CLASS_GROUP 8

#define K_NONE 0
#define K_COMMENT 1
#define K_SKIPPED 2
#define K_READ 3

/* The LFs among the 64 bytes at `b`, one bit each (bit i: b[i]). */
static uint64_t lf_mask(const uint8_t *b) {
  const v128_t lf = wasm_i8x16_splat(LF);
  uint64_t m0 = wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(b), lf));
  uint64_t m1 = wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(b + 16), lf));
  uint64_t m2 = wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(b + 32), lf));
  uint64_t m3 = wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(b + 48), lf));
  return m0 | m1 << 16 | m2 << 32 | m3 << 48;
}

/* The 64-byte block find_lf looked at last: its offset and its LF bits (reset by each scan()). */
static int32_t blk;
static uint64_t blk_lf;

/*
 * The first LF at or after `p`, or -1. Lines are short (40-odd bytes): one 64-byte block's LF bits
 * serve the next line or two, so a line costs a shift and a count of trailing zeros, not a load.
 */
static int32_t find_lf(const uint8_t *b, int32_t p, int32_t n) {
  for (;;) {
    if (p >= blk && p < blk + 64) {
      uint64_t m = blk_lf >> (p - blk);
      if (m) return p + (int32_t)__builtin_ctzll(m);
      p = blk + 64;
    }
    if (p + 64 > n) break;
    blk = p;
    blk_lf = lf_mask(b + p);
  }
  for (; p < n; p++)
    if (b[p] == LF) return p;
  return -1;
}

/* Where the value begins if the line at `p` is attribute `name` (lower case, any case in the line) and `:`; -1 if not; -2: with options. */
static int32_t attr(const uint8_t *b, int32_t n, int32_t p, const char *name, int32_t len) {
  if (p + len >= n) return -1;
  for (int32_t i = 1; i < len; i++)
    if ((b[p + i] | 0x20) != (uint8_t)name[i]) return -1;
  uint8_t c = b[p + len];
  return c == COLON ? p + len + 1 : c == SEMI ? -2 : -1;
}
#define ATTR(p, s) attr(b, n, p, s, sizeof(s) - 1)

static int is_word(const uint8_t *b, int32_t s, int32_t e, const char *w, int32_t len) {
  if (e - s != len) return 0;
  for (int32_t i = 0; i < len; i++)
    if ((b[s + i] | 0x20) != (uint8_t)w[i]) return 0;
  return 1;
}
#define IS_WORD(s, e, w) is_word(b, s, e, w, sizeof(w) - 1)

/* The record being read (a row of `rec` once its block ends); r[20]: its first SPN. */
static int32_t r[REC_W];

/* Records the value [s, e) of `field`; 0: the full reader must take the record. */
static int value(const uint8_t *b, int field, int32_t s, int32_t e) {
  int k;
  switch (field) {
    case 1:
      return IS_WORD(s, e, "add");
    case 3:
      r[19] |= CLASS_ANY | (IS_WORD(s, e, "user") ? CLASS_USER : IS_WORD(s, e, "computer") ? CLASS_COMPUTER : IS_WORD(s, e, "group") ? CLASS_GROUP : 0);
      return 1;
    case 5:
      if (spn_n >= SPN_CAP) return 0;
      spn[3 * spn_n] = s;
      spn[3 * spn_n + 1] = e;
      spn_n++;
      r[21]++;
      return 1;
    case 2: k = 13; break; /* dNSHostName */
    case 4: k = 9; break;  /* sAMAccountName */
    case 6: k = 11; break; /* userPrincipalName */
    case 7: k = 17; break; /* uSNChanged */
    default: k = 15; break; /* whenChanged */
  }
  if (r[k] < 0) {
    r[k] = s;
    r[k + 1] = e;
  }
  return 1;
}

static void reset(int32_t pos, int32_t line) {
  r[4] = pos;
  r[6] = line;
  for (int i = 9; i <= 18; i++) r[i] = -1;
  r[19] = 0;
  r[20] = spn_n;
  r[21] = 0;
}

static uint32_t high;

/* ASCII lower case of four bytes at once: bit 5 set in each byte from 'A' to 'Z' (other bytes, and bytes from 0x80, unchanged). */
static uint32_t lower4(uint32_t w) {
  uint32_t low7 = w & 0x7f7f7f7fu;
  uint32_t upper = (low7 + 0x3f3f3f3fu) & ~(low7 + 0x25252525u) & ~w & 0x80808080u;
  return w | upper >> 2;
}

/*
 * The index's key hash of [s, e) in ASCII lower case (HashIndex keys, ./ldif-index.ts keyHash):
 * FNV-1a's multiply over four bytes (little-endian) at a time, its high bits folded down after each,
 * then byte by byte; `high` collects the top bits.
 */
static int32_t fnv(const uint8_t *b, int32_t s, int32_t e) {
  uint32_t h = 0x811c9dc5u;
  uint32_t o = 0;
  int32_t i = s;
  for (; i + 4 <= e; i += 4) {
    uint32_t w;
    __builtin_memcpy(&w, b + i, 4);
    o |= w;
    h = (h ^ lower4(w)) * 0x01000193u;
    h ^= h >> 15;
  }
  for (; i < e; i++) {
    uint8_t c = b[i];
    o |= c;
    h = (h ^ (c >= 0x41 && c <= 0x5a ? c | 0x20 : c)) * 0x01000193u;
  }
  high |= o & 0x80808080u ? 0x80 : 0;
  return (int32_t)h;
}

static int is_space(uint8_t c) { return c == 0x20 || (c >= 0x09 && c <= 0x0d); }

/* Where the trailing DC= components of the DN [s, e) begin, or -1. */
static int32_t domain_start(const uint8_t *b, int32_t s, int32_t e) {
  int32_t found = -1;
  int32_t end = e;
  for (int32_t i = e - 1; i >= s - 1; i--) {
    if (i >= s && b[i] != 0x2c) continue;
    int32_t p = i + 1;
    while (p < end && is_space(b[p])) p++;
    if (!(end - p >= 4 && (b[p] | 0x20) == 'd' && (b[p + 1] | 0x20) == 'c' && b[p + 2] == '=')) break;
    found = i < s ? s : p;
    end = i;
  }
  return found;
}

/* Whether [s, e) comes after [bs, be): the first differing byte, or the longer. */
static int after(const uint8_t *b, int32_t s, int32_t e, int32_t bs, int32_t be) {
  int32_t n = e - s < be - bs ? e - s : be - bs;
  for (int32_t i = 0; i < n; i++)
    if (b[s + i] != b[bs + i]) return b[s + i] > b[bs + i];
  return e - s > be - bs;
}

/* A uSNChanged the index counts: digits, the first not 0. */
static int is_usn(const uint8_t *b, int32_t s, int32_t e) {
  if (e <= s || b[s] < '1' || b[s] > '9') return 0;
  for (int32_t i = s + 1; i < e; i++)
    if (b[i] < '0' || b[i] > '9') return 0;
  return 1;
}

/* The greatest values so far (Greatest in ./ldif-build.ts: whenChanged as text, uSNChanged as a number). */
static void offer(const uint8_t *b, const int32_t *o) {
  int32_t s = o[15], e = o[16];
  if (e > s && (best[0] < 0 || after(b, s, e, best[0], best[1]))) {
    best[0] = s;
    best[1] = e;
  }
  s = o[17];
  e = o[18];
  if (is_usn(b, s, e) && (best[2] < 0 || e - s > best[3] - best[2] || (e - s == best[3] - best[2] && after(b, s, e, best[2], best[3])))) {
    best[2] = s;
    best[3] = e;
  }
}

/* The trimmed ranges of the record's SPNs (keys() trims them; spn_pieces() hashes and compares them). */
static int32_t trimmed[SPN_CAP * 2];

/* The record's keys (rows 22-27), as ./ldif-build.ts would hash them. */
static void keys(const uint8_t *b, int32_t *o) {
  int32_t dn_s = o[7], dn_e = o[8], classes = o[19];
  for (int i = 22; i <= 26; i++) o[i] = i == 26 ? -1 : 0;
  if ((classes & CLASS_GROUP) || (dn_e - dn_s >= 3 && (b[dn_s] | 0x20) == 'd' && (b[dn_s + 1] | 0x20) == 'c' && b[dn_s + 2] == '=')) {
    o[27] = -1;
    return;
  }
  int account = classes & CLASS_ANY ? (classes & (CLASS_USER | CLASS_COMPUTER)) != 0 : o[9] >= 0;
  o[27] = account;
  if (!account && !o[21]) return;
  high = 0;
  o[22] = fnv(b, dn_s, dn_e);
  for (int32_t k = 0; k < o[21]; k++) {
    int32_t s = spn[3 * (o[20] + k)], e = spn[3 * (o[20] + k) + 1];
    while (s < e && is_space(b[s])) s++;
    while (e > s && is_space(b[e - 1])) e--;
    trimmed[2 * k] = s;
    trimmed[2 * k + 1] = e;
    spn[3 * (o[20] + k) + 2] = fnv(b, s, e);
  }
  if (account) {
    if (o[10] > o[9]) o[23] = fnv(b, o[9], o[10]);
    if (o[12] > o[11]) o[24] = fnv(b, o[11], o[12]);
    if (o[14] > o[13]) o[25] = fnv(b, o[13], o[14]);
    o[26] = domain_start(b, dn_s, dn_e);
  }
  if (high) o[27] = -1;
}

/* spn dupes' hashes (src/spn/spn-scan.ts spnHash: FNV-1a and a murmur-style mix) over [s, e) in ASCII lower case, from (h1, h2). */
static void spn_hash(const uint8_t *b, int32_t s, int32_t e, uint32_t h1, uint32_t h2, uint32_t *out) {
  for (int32_t i = s; i < e; i++) {
    uint32_t c = b[i];
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    h1 = (h1 ^ c) * 0x01000193u;
    h2 = (h2 ^ c) * 0x5bd1e995u;
    h2 ^= h2 >> 15;
  }
  out[0] = h1;
  out[1] = h2;
}
#define H1_SEED 0x811c9dc5u
#define H2_SEED 0x9747b28cu
/* The hashes' state after "host", the target of every class in AD's sPNMappings (spn dupes hashes another target itself). */
static uint32_t host_state[2];

static void pair(int t, int32_t key, int32_t idx) {
  int32_t *p = pairs[t] + 2 * n_pairs[t]++;
  p[0] = key;
  p[1] = idx;
}

/* One more piece of the SPN store: b[s, e) as written. */
static uint32_t *piece(const uint8_t *b, int32_t s, int32_t e) {
  for (int32_t i = s; i < e; i++) store_byte[store_used++] = b[i];
  piece_end[n_pieces] = store_at + store_used;
  uint32_t *h = piece_hash + HASH_W * n_pieces++;
  for (int i = 0; i < HASH_W; i++) h[i] = 0;
  return h;
}

/* The SPNs of the fast record `o` as pieces after its DN's, each with spn dupes' hashes (an SPN written twice on it left out, as SpnScan.add does). */
static void spn_pieces(const uint8_t *b, const int32_t *o) {
  uint32_t *first = piece_hash + HASH_W * n_pieces;
  for (int32_t k = 0, n = o[21]; k < n; k++) {
    const int32_t *v = spn + 3 * (o[20] + k);
    uint32_t *h = piece(b, v[0], v[1]);
    int32_t s = trimmed[2 * k], e = trimmed[2 * k + 1]; /* as keys() trimmed them */
    h[5] = P_SKIP;
    if (s == e) continue;
    spn_hash(b, s, e, H1_SEED, H2_SEED, h);
    int dup = 0;
    for (int32_t j = 0; j < k && !dup; j++) {
      const uint32_t *g = first + HASH_W * j;
      int32_t js = trimmed[2 * j], je = trimmed[2 * j + 1];
      if ((g[5] & P_SKIP) || g[0] != h[0] || g[1] != h[1] || je - js != e - s) continue;
      dup = 1;
      for (int32_t i = 0; i < e - s && dup; i++) dup = b[js + i] == b[s + i];
    }
    if (dup) continue;
    h[5] = 0;
    int32_t slash = s;
    while (slash < e && b[slash] != '/') slash++;
    if (slash > s && slash < e) {
      h[5] = P_CLASS;
      h[4] = (uint32_t)fnv(b, s, slash);
      spn_hash(b, slash, e, host_state[0], host_state[1], h + 2);
    }
  }
}

/* One more account in the domain b[s, e): a new run unless it is the last run's domain. */
static void domain(const uint8_t *b, int32_t s, int32_t e) {
  if (n_domains) {
    int32_t *run = domain_run + 3 * (n_domains - 1);
    int same = run[1] == e - s;
    for (int32_t i = 0; same && i < e - s; i++) same = domain_byte[run[0] + i] == b[s + i];
    if (same) {
      run[2]++;
      return;
    }
  }
  int32_t *run = domain_run + 3 * n_domains++;
  run[0] = domain_used;
  run[1] = e - s;
  run[2] = 1;
  for (int32_t i = s; i < e; i++) domain_byte[domain_used++] = b[i];
}

/*
 * Index mode: the fast record `o` into the index's tables (IndexBuilder.fast did this per record in
 * JavaScript). 0: it does not fit in what is left of the output; the full reader takes it.
 */
static int take(const uint8_t *b, const int32_t *o) {
  int32_t account = o[27], n = o[21];
  if (!account && !n) {
    n_objects++;
    return 1;
  }
  int32_t bytes = n ? o[8] - o[7] : 0;
  for (int32_t k = 0; k < n; k++) bytes += spn[3 * (o[20] + k) + 1] - spn[3 * (o[20] + k)];
  int32_t sam = account && o[10] > o[9] ? o[10] - o[9] : 0;
  int32_t dom = account && o[26] >= 0 ? o[8] - o[26] : 0;
  if (store_used + bytes > STORE_CAP || name_used + sam > NAME_CAP || domain_used + dom > DOMAIN_CAP || n_pairs[4] + n > SPN_CAP) return 0;
  n_objects++;
  int32_t idx = next_idx + n_slots;
  double *sl = slot + 3 * n_slots;
  sl[0] = base_off + o[4];
  sl[1] = base_off + o[5];
  sl[2] = o[6];
  slot_flag[n_slots++] = (account ? 1 : 0) | (o[19] & CLASS_COMPUTER ? 2 : 0) | (n ? 4 : 0);
  pair(0, o[22], idx);
  if (n) {
    holder_first[n_holders] = pieces_at + n_pieces;
    holder_slot[n_holders++] = idx;
    piece(b, o[7], o[8])[5] = P_HASHED;
    for (int32_t k = 0; k < n; k++) pair(4, spn[3 * (o[20] + k) + 2], idx);
    spn_pieces(b, o);
  }
  if (!account) return 1;
  n_accounts++;
  if (dom) domain(b, o[26], o[8]);
  if (sam) {
    pair(1, o[23], idx);
    for (int32_t i = o[9]; i < o[10]; i++) {
      uint8_t c = b[i];
      name_byte[name_used++] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
    }
    name_end[n_names] = names_at + name_used;
    name_idx[n_names++] = idx;
  }
  if (o[12] > o[11]) pair(2, o[24], idx);
  if (o[14] > o[13]) pair(3, o[25], idx);
  return 1;
}

/* Whether index mode's output has less than half of any table left (checked between blocks). */
static int index_full(void) {
  return n_slots >= REC_CAP / 2 || n_pairs[4] >= SPN_CAP / 2 || store_used >= STORE_CAP / 2 || name_used >= NAME_CAP / 2 || domain_used >= DOMAIN_CAP / 2;
}

/* A block [bs, be) ended: a fast record, the full reader's block, or nothing (comments only). */
static void block(const uint8_t *b, int32_t bs, int32_t be, int32_t b_line, int started, int slow, int32_t end) {
  if (!slow && !started) return;
  int32_t *o = rec + rec_n * REC_W;
  if (slow) {
    if (started) spn_n = r[20]; /* its SPN ranges are not needed */
    o[0] = 2;
  } else {
    for (int i = 4; i < 22; i++) o[i] = r[i];
    o[5] = end;
    o[0] = 1;
    keys(b, o);
    if (index_mode && o[27] >= 0 && !take(b, o)) o[27] = -1;
    if (o[27] >= 0) offer(b, o);
    if (index_mode) {
      spn_n = r[20]; /* taken, or the full reader's: its SPN ranges are not needed */
      if (o[27] >= 0) return;
      o[0] = 2;
    }
  }
  stop_after = index_mode;
  o[1] = bs;
  o[2] = be;
  o[3] = b_line;
  rec_n++;
}

/*
 * Scans whole blocks of b[0, n) (all of it when `last`); returns the offset where the unfinished
 * block begins. Stops early, at a block's start, when the output is full (`stopped_full()`): call
 * again from there once the records are read. Line numbers go on from `lines()`.
 */
int32_t scan(const uint8_t *b, int32_t n, int32_t last, int32_t all_slow) {
  rec_n = 0;
  spn_n = 0;
  full = 0;
  blk = -64;
  stop_after = 0;
  n_slots = n_names = name_used = n_pieces = store_used = n_holders = n_domains = domain_used = n_objects = n_accounts = 0;
  for (int i = 0; i < 5; i++) n_pairs[i] = 0;
  if (!host_state[0]) spn_hash((const uint8_t *)"host", 0, 4, H1_SEED, H2_SEED, host_state);
  best[0] = best[1] = best[2] = best[3] = -1;
  int32_t pos = 0;
  int32_t line = line_no;
  int32_t bs = 0;
  int32_t b_line = line;
  int started = 0;
  int slow = all_slow;
  int kind = K_NONE;
  int content = 0;
  int32_t end = 0;
  for (;;) {
    int32_t nl = find_lf(b, pos, n);
    if (nl == -1) {
      if (!last || pos >= n) break;
      nl = n;
    }
    int32_t stop = nl > pos && b[nl - 1] == CR ? nl - 1 : nl;
    int32_t next = nl < n ? nl + 1 : n;
    line++;
    if (stop == pos) {
      if (content) block(b, bs, pos, b_line, started, slow, end);
      bs = next;
      b_line = line;
      started = 0;
      slow = all_slow;
      kind = K_NONE;
      content = 0;
      if (rec_n >= REC_CAP || spn_n >= SPN_CAP / 2 || stop_after || (index_mode && index_full())) {
        full = 1;
        line_no = b_line;
        index_mode = 0;
        return bs;
      }
    } else if (slow) {
      content = 1;
    } else {
      content = 1;
      uint8_t c = b[pos];
      if (c == SPACE) {
        if (kind == K_SKIPPED) end = next;
        else if (kind != K_COMMENT) slow = 1;
      } else if (c == HASH) {
        kind = K_COMMENT;
        if (started) end = next;
      } else if (!started) {
        int32_t v = pos + 2 < n && (c | 0x20) == 'd' && (b[pos + 1] | 0x20) == 'n' && b[pos + 2] == COLON ? pos + 3 : -1;
        if (v < 0 || (v < n && (b[v] == COLON || b[v] == LT))) slow = 1;
        else {
          started = 1;
          kind = K_READ;
          reset(pos, line);
          end = next;
          int32_t s = v;
          while (s < stop && b[s] == SPACE) s++;
          r[7] = s;
          r[8] = stop;
        }
      } else {
        end = next;
        kind = K_SKIPPED;
        int32_t v = -1;
        int field = 0;
        switch (c | 0x20) {
          case 'c':
            if ((v = ATTR(pos, "changetype")) != -1) field = 1;
            break;
          case 'd':
            if (pos + 2 < n && (b[pos + 1] | 0x20) == 'n' && (b[pos + 2] == COLON || b[pos + 2] == SEMI)) slow = 1;
            else if ((v = ATTR(pos, "dnshostname")) != -1) field = 2;
            break;
          case 'n':
            if (ATTR(pos, "ncname") != -1 || ATTR(pos, "netbiosname") != -1) slow = 1;
            break;
          case 'o':
            if ((v = ATTR(pos, "objectclass")) != -1) field = 3;
            break;
          case 's':
            if ((v = ATTR(pos, "samaccountname")) != -1) field = 4;
            else if ((v = ATTR(pos, "serviceprincipalname")) != -1) field = 5;
            else if (ATTR(pos, "spnmappings") != -1) slow = 1;
            break;
          case 'u':
            if ((v = ATTR(pos, "userprincipalname")) != -1) field = 6;
            else if ((v = ATTR(pos, "usnchanged")) != -1) field = 7;
            break;
          case 'w':
            if ((v = ATTR(pos, "whenchanged")) != -1) field = 8;
            break;
        }
        if (field) {
          kind = K_READ;
          if (v < 0 || (v < n && (b[v] == COLON || b[v] == LT))) slow = 1;
          else {
            while (v < stop && b[v] == SPACE) v++;
            slow = !value(b, field, v, stop);
          }
        }
      }
    }
    pos = next;
    if (nl >= n) break;
  }
  if (last) {
    if (content) block(b, bs, n, b_line, started, slow, end);
    line_no = line;
    index_mode = 0;
    return n;
  }
  line_no = b_line;
  index_mode = 0;
  return bs;
}


/*
 * spn dupes' candidates over the SPN store's hashes (./ldif-dupes.ts), by SpnScan's rule
 * (src/spn/spn-scan.ts): every holder of an SPN hash seen twice (on one account too: a case-only
 * repeat), and both holders of a service SPN whose HOST/ alias another account holds. The first
 * pass keeps each hash's first holder; the second looks each alias up among all SPNs, so the order
 * of the holders does not matter. Table: HASH_T numbers per slot (h1, h2, holder + 1; 0: empty).
 */
#define HASH_T 3
static uint32_t *d_table;
static uint32_t d_mask;
static uint8_t *d_cand;
static const uint32_t *d_classes; /* key hashes of the classes mapped to host, ascending */
static int32_t d_n_classes;
static int32_t d_spns;

static uint32_t spread(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  return h ^ (h >> 16);
}

void dupes_begin(uint32_t *table, uint32_t slots, uint8_t *cand, int32_t holders, const uint32_t *classes, int32_t n_classes) {
  d_table = table;
  d_mask = slots - 1;
  d_cand = cand;
  d_classes = classes;
  d_n_classes = n_classes;
  d_spns = 0;
  __builtin_memset(table, 0, slots * HASH_T * 4);
  __builtin_memset(cand, 0, holders);
}

/* Pass 1, one SPN: its hash's first holder is kept; a hash seen before makes both holders candidates. */
static void dupes_spn(const uint32_t *h, uint32_t holder) {
  d_spns++;
  for (uint32_t i = spread(h[0]) & d_mask;; i = (i + 1) & d_mask) {
    uint32_t *t = d_table + HASH_T * i;
    if (!t[2]) {
      t[0] = h[0];
      t[1] = h[1];
      t[2] = holder + 1;
      return;
    }
    if (t[0] == h[0] && t[1] == h[1]) {
      d_cand[t[2] - 1] = 1;
      d_cand[holder] = 1;
      return;
    }
  }
}

static int mapped_to_host(uint32_t cls) {
  int32_t lo = 0, hi = d_n_classes - 1;
  while (lo <= hi) {
    int32_t mid = (lo + hi) >> 1;
    if (d_classes[mid] == cls) return 1;
    if (d_classes[mid] < cls) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

/* Pass 2, one SPN: a service SPN whose alias another account holds makes both candidates. */
static void dupes_alias(const uint32_t *h, uint32_t holder) {
  if (!((h[5] & P_ALIAS) || ((h[5] & P_CLASS) && mapped_to_host(h[4])))) return;
  for (uint32_t i = spread(h[2]) & d_mask;; i = (i + 1) & d_mask) {
    const uint32_t *t = d_table + HASH_T * i;
    if (!t[2]) return;
    if (t[0] == h[2] && t[1] == h[3]) {
      if (t[2] - 1 != holder) {
        d_cand[t[2] - 1] = 1;
        d_cand[holder] = 1;
      }
      return;
    }
  }
}

/*
 * One pass over one segment of the store: holders base .. base + holders - 1, their pieces
 * [0, pieces). Pass 2 (`alias`) runs after pass 1 over every segment.
 */
void dupes_pass(const uint32_t *hash, const int32_t *firsts, int32_t holders, int32_t pieces, int32_t base, int32_t alias) {
  for (int32_t k = 0; k < holders; k++) {
    int32_t to = k + 1 < holders ? firsts[k + 1] : pieces;
    uint32_t holder = (uint32_t)(base + k);
    for (int32_t p = firsts[k] + 1; p < to; p++) {
      const uint32_t *h = hash + HASH_W * p;
      if (h[5] & P_SKIP) continue;
      if (alias) dupes_alias(h, holder);
      else dupes_spn(h, holder);
    }
  }
}

int32_t dupes_spns(void) { return d_spns; }
