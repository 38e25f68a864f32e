/** The one word-resolution rule of every chat surface (commands/plan.ts). */
import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { planChat } from '../../commands/plan.js';

const path = (text: string, slash?: string) => {
  const p = planChat(commands, text, { slash });
  return p.type === 'run' ? p.command.path.join(' ') : p.type;
};

describe('planChat', () => {
  it('reads Slack and Teams text the same way: the reading that uses the most typed words wins', () => {
    // Slack `/krb adfs check` and a Teams message `krb adfs check` both mean `adfs check` (not `krb adfs` + "check").
    expect(path('adfs check', '/krb')).toBe('adfs check');
    expect(path('krb adfs check')).toBe('adfs check');
    expect(path('krb adfs')).toBe('krb adfs');
    expect(path('adfs', '/krb')).toBe('krb adfs');
    expect(path('adfs')).toBe('adfs check');
    expect(path('list crmweb', '/spn')).toBe('spn list');
    expect(path('krb spn list crmweb')).toBe('spn list');
  });

  it('accepts the same help words everywhere, with the group when one is named', () => {
    for (const [text, slash] of [['?', '/krb'], ['?', undefined], ['help', '/spn'], ['spn help', undefined], ['', '/spn']] as const) {
      const p = planChat(commands, text, { slash });
      expect(p.type).toBe('help');
    }
    expect(planChat(commands, 'help', { slash: '/spn' })).toMatchObject({ type: 'help', group: 'spn' });
    expect(planChat(commands, 'spn help')).toMatchObject({ type: 'help', group: 'spn' });
    expect(planChat(commands, 'krb help')).toMatchObject({ type: 'help', group: undefined });
  });

  it('takes --share anywhere and never throws on bad input', () => {
    expect(planChat(commands, '--share list crmweb', { slash: '/spn' })).toMatchObject({ type: 'run', share: true });
    const bad = planChat(commands, 'spn list "unclosed');
    expect(bad.type === 'error' || bad.type === 'run').toBe(true);
    expect(planChat(commands, 'hello there')).toMatchObject({ type: 'error', error: { code: 'COMMAND_USAGE' } });
  });
});
