import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FlowStep } from '../../src/shared/api/entities';
import {
  kamailioValues,
  renderTemplate,
  templatePath,
  TemplateError,
  webOrigin,
  type KamailioSettings,
} from '../../src/main/sip/config';
import { displayName } from '../../src/main/sip/decide';
import { ha1, issueCredentials, parseAuthorizationUsername, sipPassword } from '../../src/main/sip/credentials';
import { isOpen, planCall } from '../../src/main/sip/flowPlan';

/** The pure parts of the phone service: flow planning, credentials, the template. */

const weekdays = [1, 2, 3, 4, 5].map((day) => ({ day, from: '09:00', to: '17:00' }));
const hours = (closed: FlowStep[]): FlowStep => ({
  kind: 'hours',
  timezone: 'America/Los_Angeles',
  open: weekdays,
  branches: [{ key: 'closed', steps: closed }],
});

describe('planCall', () => {
  // Monday 2 Nov 2026, 10:00 in Los Angeles (UTC-8) and 20:00 there.
  const mondayMorning = Date.UTC(2026, 10, 2, 18);
  const mondayEvening = Date.UTC(2026, 10, 3, 4);

  it('reads business hours in the step time zone', () => {
    expect(isOpen(hours([]), mondayMorning)).toBe(true);
    expect(isOpen(hours([]), mondayEvening)).toBe(false);
    expect(isOpen(hours([]), Date.UTC(2026, 10, 1, 18))).toBe(false); // Sunday
  });

  it('runs the closed branch outside hours and the following steps inside them', () => {
    const steps: FlowStep[] = [
      hours([{ kind: 'voicemail', text: '', groupId: 3 }]),
      { kind: 'ring_group', groupId: 3, ringSeconds: 30 },
    ];
    expect(planCall(steps, mondayMorning).steps).toEqual([{ kind: 'ring_group', groupId: 3, ringSeconds: 30 }]);
    expect(planCall(steps, mondayEvening).steps).toEqual([{ kind: 'voicemail', groupId: 3, userId: null, texts: [] }]);
  });

  it('plans each menu branch; no input takes the timeout branch, else the first; steps after a menu are not reached', () => {
    const menu = (branches: { key: string; steps: FlowStep[] }[]): FlowStep[] => [
      { kind: 'greeting', text: 'Hello' },
      { kind: 'menu', text: 'Press 1', branches },
      { kind: 'ring_user', userId: 99, ringSeconds: 20 },
    ];
    const one = { key: '1', steps: [{ kind: 'ring_group', groupId: 1, ringSeconds: 15 } as FlowStep] };
    const none = {
      key: 'timeout',
      steps: [
        { kind: 'ring_user', userId: 6, ringSeconds: 25 } as FlowStep,
        { kind: 'voicemail', text: 'Leave a message.', userId: 6 } as FlowStep,
      ],
    };
    const optionOne = { key: '1', events: [], steps: [{ kind: 'ring_group', groupId: 1, ringSeconds: 15 }] };
    expect(planCall(menu([one, none]), mondayMorning)).toEqual({
      events: [],
      steps: [
        {
          kind: 'prompt',
          texts: ['Hello'],
          menu: {
            text: 'Press 1',
            options: [optionOne],
            noInput: {
              key: 'timeout',
              events: [],
              steps: [
                { kind: 'ring_user', userId: 6, ringSeconds: 25 },
                { kind: 'voicemail', userId: 6, groupId: null, texts: ['Leave a message.'] },
              ],
            },
          },
        },
      ],
    });
    expect(planCall(menu([one]), mondayMorning).steps[0]).toMatchObject({ menu: { noInput: optionOne } });
  });

  it('speaks greetings before the step they lead to, and a branch’s business hours only when it is taken', () => {
    const greeting = (text: string): FlowStep => ({ kind: 'greeting', text });
    expect(
      planCall([greeting('Hi'), greeting('Welcome'), { kind: 'ring_user', userId: 6, ringSeconds: 20 }], mondayMorning)
        .steps,
    ).toEqual([
      { kind: 'prompt', texts: ['Hi', 'Welcome'], menu: null },
      { kind: 'ring_user', userId: 6, ringSeconds: 20 },
    ]);
    expect(
      planCall([greeting('Hi'), { kind: 'voicemail', text: 'Leave a message.', groupId: 3 }], mondayMorning).steps,
    ).toEqual([{ kind: 'voicemail', userId: null, groupId: 3, texts: ['Hi', 'Leave a message.'] }]);
    // Out of hours: the greeting before the hours step is spoken before the closed branch's voicemail.
    expect(
      planCall([greeting('Hi'), hours([{ kind: 'voicemail', text: 'We are closed.', groupId: 3 }])], mondayEvening),
    ).toEqual({
      events: [{ kind: 'hours_closed', detail: 'Closed (America/Los_Angeles)' }],
      steps: [{ kind: 'voicemail', userId: null, groupId: 3, texts: ['Hi', 'We are closed.'] }],
    });
    const menuWithHours = planCall(
      [
        {
          kind: 'menu',
          text: 'Press 2',
          branches: [{ key: '2', steps: [hours([]), { kind: 'ring_group', groupId: 4, ringSeconds: 10 }] }],
        },
      ],
      mondayEvening,
    );
    expect(menuWithHours.events).toEqual([]);
    expect(menuWithHours.steps[0]).toMatchObject({
      menu: { options: [{ key: '2', events: [{ kind: 'hours_closed' }], steps: [] }] },
    });
  });
});

describe('credentials', () => {
  const config = {
    secret: Buffer.alloc(32, 1),
    domain: 'teamline.local',
    wsUrl: 'ws://127.0.0.1:5066',
    credentialTtlSeconds: 3600,
  };
  const john = { accountId: 1, userId: 10, extension: '100' };

  it('are bound to the account, the user and the expiry', () => {
    const c = issueCredentials(config, john, Date.UTC(2026, 10, 2));
    expect(c.username).toBe('100');
    expect(parseAuthorizationUsername(c.authorizationUsername)).toEqual({
      expiresAt: c.expiresAt,
      extension: '100',
      deviceId: null,
    });
    // A joined desktop's credentials name it, and are signed with it: another device id does not take them over.
    expect(parseAuthorizationUsername('1795422613.100.42')).toEqual({
      expiresAt: 1795422613000,
      extension: '100',
      deviceId: 42,
    });
    expect(parseAuthorizationUsername('1795422613.100.0')).toBeNull();
    expect(sipPassword(config.secret, john, c.authorizationUsername)).toBe(c.password);
    expect(sipPassword(config.secret, { ...john, accountId: 2 }, c.authorizationUsername)).not.toBe(c.password);
    expect(sipPassword(config.secret, { ...john, userId: 11 }, c.authorizationUsername)).not.toBe(c.password);
    expect(ha1('a', 'b', 'c')).toBe('02cc8f08398a4f3113b554e8105ebe4c'); // MD5("a:b:c"), RFC 2617
    expect(parseAuthorizationUsername('100')).toBeNull();
    expect(parseAuthorizationUsername('1795422613.100;x')).toBeNull();
  });
});

describe('the Kamailio template', () => {
  const settings: KamailioSettings = {
    domain: 'teamline.local',
    listenIp: '127.0.0.1',
    sipPort: 5060,
    wsPort: 5066,
    decisionUrl: 'http://127.0.0.1:40000',
    token: 'a'.repeat(48),
    peer: '127.0.0.1:5090',
    trunks: ['udp:127.0.0.1:5090'],
    origins: ['http://127.0.0.1:5178', 'file://'],
    runDir: '/tmp/teamline-sip',
    modulesDir: '/usr/lib/x86_64-linux-gnu/kamailio/modules',
    debug: 2,
    children: 2,
    rtpenginePort: 22222,
    mediaService: '127.0.0.1:40100',
  };
  const template = readFileSync(templatePath, 'utf8');

  it('renders every placeholder', () => {
    const cfg = renderTemplate(template, kamailioValues(settings));
    expect(cfg).not.toMatch(/\{\{/);
    expect(cfg).toContain('listen=udp:127.0.0.1:5060');
    expect(cfg).toContain('modparam("ctl", "binrpc", "unix:/tmp/teamline-sip/kamailio_ctl")');
    expect(cfg).toContain('$var(media) = "127.0.0.1:40100";');
    expect(renderTemplate(template, kamailioValues({ ...settings, mediaService: null }))).toContain(
      '$var(media) = "";',
    );
  });

  it('refuses values that could change the configuration language', () => {
    expect(() =>
      renderTemplate(template, kamailioValues({ ...settings, domain: 'x.local"\nloadmodule "exec.so' })),
    ).toThrow(TemplateError);
    expect(() => renderTemplate(template, kamailioValues({ ...settings, runDir: '/tmp/$(x)' }))).toThrow(TemplateError);
    expect(() => renderTemplate('{{NOPE}}', {})).toThrow(TemplateError);
    expect(() => renderTemplate(template, kamailioValues({ ...settings, mediaService: '10.0.0.1:5060' }))).toThrow(
      TemplateError,
    );
    for (const trunks of [['udp:127.0.0.1:5090"'], ['ws:127.0.0.1:5090'], ['udp:127.0.0.1'], ['udp:1.2.3.4:5|x']]) {
      expect(() => renderTemplate(template, kamailioValues({ ...settings, trunks })), trunks[0]).toThrow(TemplateError);
    }
    for (const origin of ['http://a"b.example', 'javascript:alert(1)', 'null', 'data:text/html,x']) {
      expect(() => renderTemplate(template, kamailioValues({ ...settings, origins: [origin] })), origin).toThrow(
        TemplateError,
      );
    }
  });

  it('renders the trunk and origin allow-lists as the proxy loads them', () => {
    const cfg = renderTemplate(
      template,
      kamailioValues({
        ...settings,
        trunks: ['udp:127.0.0.1:5090', 'tcp:10.0.0.5:5060'],
        origins: ['http://127.0.0.1:5178/path', 'file:///opt/teamline/index.html', 'HTTP://LOCALHOST:5178'],
      }),
    );
    expect(cfg).toContain('$var(list) = "udp:127.0.0.1:5090|tcp:10.0.0.5:5060";');
    expect(cfg).toContain('$var(list) = "http://127.0.0.1:5178|file://|http://localhost:5178";');
    expect(webOrigin('https://console.example.com:8443/#/calls')).toBe('https://console.example.com:8443');
  });
});

describe('display names the proxy puts in From', () => {
  it('keep a person’s name, and nothing that could end the quoted string or a decision field', () => {
    expect(displayName('Jasmine Lee')).toBe('Jasmine Lee');
    expect(displayName('Zoë Ångström-Núñez')).toBe('Zoë Ångström-Núñez');
    expect(displayName('Evil" <sip:+1900@x>\\|ring|\r\nX-Y: 1')).toBe('Evil <sip:+1900@x> ring X-Y: 1');
    expect(displayName('a'.repeat(200))).toHaveLength(60);
  });
});
