/** The demo account's people (POLICY.md §5), and the password they all share. */
export const DEMO_ACCOUNT_NAME = 'Teamline Demo';
export const DEMO_PASSWORD = 'teamline-demo';

export interface DemoPerson {
  key: string;
  extension: string;
  name: string;
  title: string;
  role: 'agent' | 'manager' | 'administrator';
  callAccess: 'personal' | 'group' | 'callflow' | 'numbers' | 'all';
}

export const demoPeople: readonly DemoPerson[] = [
  { key: 'john', extension: '100', name: 'John Smith', title: 'Sales', role: 'agent', callAccess: 'group' },
  { key: 'peter', extension: '101', name: 'Peter Jones', title: 'Sales', role: 'agent', callAccess: 'group' },
  { key: 'jessica', extension: '102', name: 'Jessica Brown', title: 'Support', role: 'agent', callAccess: 'group' },
  { key: 'jasmine', extension: '103', name: 'Jasmine Lee', title: 'Sales', role: 'agent', callAccess: 'personal' },
  { key: 'allie', extension: '104', name: 'Allie Garcia', title: 'Support', role: 'agent', callAccess: 'group' },
  {
    key: 'leo',
    extension: '105',
    name: 'Leo Martin',
    title: 'Customer Success Manager',
    role: 'manager',
    callAccess: 'numbers',
  },
  { key: 'karey', extension: '106', name: 'Karey Wilson', title: 'Front desk', role: 'agent', callAccess: 'callflow' },
  { key: 'morgan', extension: '107', name: 'Morgan Reyes', title: 'Owner', role: 'administrator', callAccess: 'all' },
  { key: 'dana', extension: '108', name: 'Dana Brooks', title: 'Billing', role: 'agent', callAccess: 'group' },
  { key: 'omar', extension: '109', name: 'Omar Haddad', title: 'Billing', role: 'agent', callAccess: 'group' },
];

export const demoEmail = (p: DemoPerson) => `${p.key}@teamline.demo`;

/** email → password, for the sign-in screen while the demo account is loaded. */
export const demoPasswords: Readonly<Record<string, string>> = Object.fromEntries(
  demoPeople.map((p) => [demoEmail(p), DEMO_PASSWORD]),
);

export const demoNumbers = {
  mainLA: { e164: '+12136472453', label: 'Main line (LA)' },
  mainNY: { e164: '+13322139228', label: 'Main line (NY)' },
  billing: { e164: '+14155550147', label: 'Billing line' },
  tollFree: { e164: '+18885550190', label: 'Toll-free campaigns' },
} as const;
