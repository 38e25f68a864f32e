/** The watch's re-check takes the standing issues' accounts in turn (src/jobs/dupes-watch.ts, inTurn). */
import { describe, expect, it } from 'vitest';
import { inTurn } from '../../src/jobs/dupes-watch.js';

const dns = ['cn=e', 'cn=a', 'cn=d', 'cn=b', 'cn=c'];

describe('inTurn', () => {
  it('takes every account, and keeps the cursor, when they fit in one run', () => {
    expect(inTurn([...dns], { perRun: 5, cursor: 'cn=b' })).toEqual({ keys: dns, cursor: 'cn=b' });
  });

  it('takes perRun accounts in DN order after the cursor, wrapping round', () => {
    expect(inTurn([...dns], { perRun: 2 })).toEqual({ keys: ['cn=a', 'cn=b'], cursor: 'cn=b' });
    expect(inTurn([...dns], { perRun: 2, cursor: 'cn=b' })).toEqual({ keys: ['cn=c', 'cn=d'], cursor: 'cn=d' });
    expect(inTurn([...dns], { perRun: 2, cursor: 'cn=d' })).toEqual({ keys: ['cn=e', 'cn=a'], cursor: 'cn=a' });
  });

  it('goes on after a cursor whose account is no longer standing, or past the last one', () => {
    expect(inTurn([...dns], { perRun: 3, cursor: 'cn=bb' })).toEqual({ keys: ['cn=c', 'cn=d', 'cn=e'], cursor: 'cn=e' });
    expect(inTurn([...dns], { perRun: 3, cursor: 'cn=z' })).toEqual({ keys: ['cn=a', 'cn=b', 'cn=c'], cursor: 'cn=c' });
  });

  it('visits every account once in ⌈n ÷ perRun⌉ runs', () => {
    const many = Array.from({ length: 23 }, (_, i) => `cn=acct${String(i).padStart(2, '0')}`);
    let cursor: string | undefined;
    const seen: string[] = [];
    for (let run = 0; run < Math.ceil(23 / 5); run++) {
      const t = inTurn([...many], { perRun: 5, cursor });
      cursor = t.cursor;
      seen.push(...t.keys);
    }
    expect(new Set(seen).size).toBe(23);
  });
});
