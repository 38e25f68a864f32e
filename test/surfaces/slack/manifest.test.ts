/** manifest/slack/manifest.yaml matches what the Slack surface serves, within Slack's manifest limits. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { chatExample } from '../../../cards/slack/index.js';
import { commands } from '../../../commands/index.js';
import { planChatCommand, SLACK_EVENTS_PATH, SLASH_COMMANDS } from '../../../src/surfaces/slack/index.js';

const manifest = parse(readFileSync(new URL('../../../manifest/slack/manifest.yaml', import.meta.url), 'utf8'));

describe('the Slack app manifest', () => {
  it('declares exactly the slash commands the app listens to', () => {
    expect(manifest.features.slash_commands.map((c: { command: string }) => c.command)).toEqual(SLASH_COMMANDS.map((c) => `/${c}`));
  });

  it('sends slash commands and interactions to Bolt\'s events path', () => {
    for (const c of manifest.features.slash_commands) expect(new URL(c.url).pathname).toBe(SLACK_EVENTS_PATH);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(new URL(manifest.settings.interactivity.request_url).pathname).toBe(SLACK_EVENTS_PATH);
  });

  it('asks for the minimum bot scopes and nothing that reads messages or uploads files', () => {
    // users:read(.email): the profile e-mail that matches a Slack user to their AD account (access policy, approvers).
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(['channels:history', 'chat:write', 'chat:write.public', 'commands', 'groups:history', 'users:read', 'users:read.email']);
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
  });

  it('documents Socket Mode as a setting', () => {
    expect(typeof manifest.settings.socket_mode_enabled).toBe('boolean');
    expect(readFileSync(new URL('../../../manifest/slack/manifest.yaml', import.meta.url), 'utf8')).toMatch(/SLACK_APP_TOKEN/);
  });

  it('stays within Slack\'s manifest field limits', () => {
    const d = manifest.display_information;
    expect(d.name.length).toBeLessThanOrEqual(35);
    expect(d.description.length).toBeLessThanOrEqual(140);
    expect(d.long_description.length).toBeGreaterThanOrEqual(175);
    expect(d.long_description.length).toBeLessThanOrEqual(4000);
    expect(d.background_color).toMatch(/^#[0-9a-f]{6}$/i);
    for (const c of manifest.features.slash_commands) {
      expect(c.description.length).toBeLessThanOrEqual(2000);
      expect(c.usage_hint.length).toBeLessThanOrEqual(1000);
      expect(c.should_escape).toBe(false);
    }
  });

  it('reaches every registry command through a declared slash command, examples included', () => {
    for (const c of commands) {
      for (const example of c.examples) {
        const chat = chatExample(example, c);
        if (!chat) continue;
        const [slash, ...rest] = chat.split(' ');
        expect(SLASH_COMMANDS.map((s) => `/${s}`)).toContain(slash);
        const plan = planChatCommand(commands, slash, rest.join(' '));
        expect(plan.type, `${chat} → ${JSON.stringify(plan).slice(0, 200)}`).toBe('run');
        if (plan.type === 'run') expect(plan.command.run).toBe(c.run);
      }
    }
  });
});
