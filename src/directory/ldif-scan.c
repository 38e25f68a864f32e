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
 *   sAMAccountName, userPrincipalName and dNSHostName (the index's FNV-1a over ASCII-lower-cased
 *   bytes, ./ldif-index.ts)  26 where the dn's domain (its trailing DC= components) begins, or -1
 *   27 1: an account, 0: not, -1: the index declines the record (a group, a DC= head, a key that is
 *   not ASCII: ./ldif-build.ts reads those from the full reader's text)
 * and in `greatest()` the ranges of the greatest whenChanged and uSNChanged among the records the
 * index takes (row 27 not -1), for the index's "newest change" and highest USN.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define REC_W 28
#define REC_CAP 4096
#define SPN_CAP 16384

static int32_t rec[REC_CAP * REC_W];
static int32_t spn[SPN_CAP * 3];
static int32_t rec_n;
static int32_t spn_n;
static int32_t full;
static int32_t line_no;

/* The greatest whenChanged and uSNChanged of this call's accepted records: start, end of each (-1: none). */
static int32_t best[4];

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

/* The first LF at or after `p`, or -1. */
static int32_t find_lf(const uint8_t *b, int32_t p, int32_t n) {
  const v128_t lf = wasm_i8x16_splat(LF);
  while (p + 16 <= n) {
    uint32_t m = wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(b + p), lf));
    if (m) return p + __builtin_ctz(m);
    p += 16;
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

/* FNV-1a over [s, e) in ASCII lower case (HashIndex keys, ./ldif-index.ts); `high` collects the top bits. */
static int32_t fnv(const uint8_t *b, int32_t s, int32_t e) {
  uint32_t h = 0x811c9dc5u;
  uint32_t o = 0;
  for (int32_t i = s; i < e; i++) {
    uint8_t c = b[i];
    o |= c;
    h = (h ^ (c >= 0x41 && c <= 0x5a ? c | 0x20 : c)) * 0x01000193u;
  }
  high |= o & 0x80;
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
  for (int32_t k = o[20], last = o[20] + o[21]; k < last; k++) {
    int32_t s = spn[3 * k], e = spn[3 * k + 1];
    while (s < e && is_space(b[s])) s++;
    while (e > s && is_space(b[e - 1])) e--;
    spn[3 * k + 2] = fnv(b, s, e);
  }
  if (account) {
    if (o[10] > o[9]) o[23] = fnv(b, o[9], o[10]);
    if (o[12] > o[11]) o[24] = fnv(b, o[11], o[12]);
    if (o[14] > o[13]) o[25] = fnv(b, o[13], o[14]);
    o[26] = domain_start(b, dn_s, dn_e);
  }
  if (high) o[27] = -1;
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
    if (o[27] >= 0) offer(b, o);
  }
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
      if (rec_n >= REC_CAP || spn_n >= SPN_CAP / 2) {
        full = 1;
        line_no = b_line;
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
    return n;
  }
  line_no = b_line;
  return bs;
}
