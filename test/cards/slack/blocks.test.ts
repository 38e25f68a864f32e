import { describe, expect, it } from 'vitest';
import { code, codeBlock, codeBlocks, esc, fitText, joinFitting, packLines } from '../../../cards/slack/blocks.js';
import { checkMessage, SLACK_LIMITS } from '../../../cards/slack/limits.js';

describe('Slack text helpers', () => {
  it('escapes the characters Slack reads as mentions and links', () => {
    expect(esc('<!channel> & <@U123>')).toBe('&lt;!channel&gt; &amp; &lt;@U123&gt;');
  });

  it('keeps text that fits unchanged', () => {
    expect(fitText('short text', 20)).toBe('short text');
  });

  it('cuts long text at a word boundary and marks it with an ellipsis', () => {
    const out = fitText('the quick brown fox jumps over the lazy dog', 20);
    expect(out.length).toBeLessThanOrEqual(20);
    expect(out).toBe('the quick brown fox…');
  });

  it('cuts a single word longer than the budget inside it only because it must', () => {
    const out = fitText('x'.repeat(500), 75);
    expect(out).toHaveLength(75);
    expect(out.endsWith('…')).toBe(true);
  });

  it('does not leave half an escaped entity behind', () => {
    const out = fitText(esc('aaaaaaaaaaaaaaa&&&&&&&&&&&&&&'), 20);
    expect(out).not.toMatch(/&[a-z]{0,3}…$/);
  });

  it('does not split a surrogate pair', () => {
    const out = fitText('🔑'.repeat(100), 11);
    expect(out.length).toBeLessThanOrEqual(11);
    expect(/[\uD800-\uDBFF]…$/.test(out)).toBe(false);
  });

  it('packs lines into chunks without splitting a line', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `• HTTP/server-${i}.contoso.test`);
    const chunks = packLines(lines, 300);
    expect(chunks.every((c) => c.length <= 300)).toBe(true);
    expect(chunks.join('\n').split('\n')).toEqual(lines);
  });

  it('breaks a ``` inside code so the fence stays balanced', () => {
    const out = codeBlock(['echo ```oops```']);
    expect(out.match(/```/g)).toHaveLength(2);
  });

  it('splits long command lists over several code blocks, each fenced', () => {
    const blocks = codeBlocks(Array.from({ length: 300 }, (_, i) => `setspn -S HTTP/web${i}.contoso.test CONTOSO\\svc-web`), 3000);
    expect(blocks.length).toBeGreaterThan(1);
    for (const b of blocks) {
      expect(b.length).toBeLessThanOrEqual(3000);
      expect(b.startsWith('```') && b.endsWith('```')).toBe(true);
    }
  });

  it('shows a backtick inside inline code as a look-alike', () => {
    expect(code('a`b')).toBe('`aˋb`');
  });

  it('joins names and says how many more there are instead of cutting one', () => {
    expect(joinFitting(['alpha', 'beta', 'gamma', 'delta'], 20)).toBe('alpha, beta +2 more');
    expect(joinFitting(['a', 'b'], 100)).toBe('a, b');
  });
});

describe('the Block Kit limits validator', () => {
  const ok = { text: 'hi', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hello' } }] };
  const table: { name: string; message: { text?: string; blocks: unknown[] }; problem: RegExp }[] = [
    { name: 'more than 50 blocks', message: { text: 'x', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) }, problem: /51 blocks/ },
    { name: 'a header over 150 characters', message: { text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] }, problem: /header is 151/ },
    { name: 'a section over 3000 characters', message: { text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 's'.repeat(3001) } }] }, problem: /section text is 3001/ },
    { name: 'a button label over 75 characters', message: { text: 'x', blocks: [{ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'b'.repeat(76) }, action_id: 'a' }] }] }, problem: /button label is 76/ },
    { name: 'an action_id over 255 characters', message: { text: 'x', blocks: [{ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'b' }, action_id: 'a'.repeat(256) }] }] }, problem: /action_id is 256/ },
    { name: 'a button value over 2000 characters', message: { text: 'x', blocks: [{ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'b' }, action_id: 'a', value: 'v'.repeat(2001) }] }] }, problem: /value is 2001/ },
    { name: 'two buttons with one action_id', message: { text: 'x', blocks: [{ type: 'actions', elements: [1, 2].map(() => ({ type: 'button', text: { type: 'plain_text', text: 'b' }, action_id: 'same' })) }] }, problem: /duplicate action_id/ },
    { name: 'more than 10 fields', message: { text: 'x', blocks: [{ type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) }] }, problem: /11 fields/ },
    { name: 'an empty fallback text', message: { text: '', blocks: [] }, problem: /fallback text is empty/ },
    { name: 'an unescaped @channel', message: { text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hi <!channel>' } }] }, problem: /unescaped mention/ },
    { name: 'an unbalanced code fence', message: { text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '```setspn -L' } }] }, problem: /unbalanced/ },
    { name: 'too much text in one message', message: { text: 'x', blocks: Array.from({ length: 5 }, () => ({ type: 'section', text: { type: 'mrkdwn', text: 't'.repeat(2900) } })) }, problem: /characters of text in one message/ },
  ];
  it.each(table)('reports $name', ({ message, problem }) => {
    const v = checkMessage(message);
    expect(v.map((x) => x.problem).join('\n')).toMatch(problem);
  });

  it('accepts a valid message', () => {
    expect(checkMessage(ok)).toEqual([]);
  });

  it('states Slack\'s published numbers', () => {
    expect(SLACK_LIMITS).toMatchObject({ blocks: 50, sectionText: 3000, headerText: 150, buttonText: 75, actionId: 255 });
  });
});
