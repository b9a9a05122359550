import type { z } from 'zod';

/**
 * The words people see for a form field, by its key in the API's input.
 * Keys not listed read as their camelCase split into words ("contactName" →
 * "Contact name").
 */
const fieldWords: Record<string, string> = {
  name: 'Name',
  email: 'Email',
  extension: 'Extension',
  password: 'Password',
  next: 'New password',
  current: 'Current password',
  title: 'Title',
  timezone: 'Time zone',
  phone: 'Phone',
  company: 'Company',
  notes: 'Notes',
  label: 'Label',
  body: 'Message',
  to: 'To',
  bnId: 'Business number',
  scopeBnIds: 'Business numbers',
  outboundCallBnIds: 'Outbound call numbers',
  smsBnIds: 'SMS numbers',
  defaultBnId: 'Default caller ID',
  memberIds: 'Members',
  groupIds: 'Groups',
  permissions: 'Manager permissions',
  callAccess: 'Call access',
  role: 'Role',
  steps: 'Steps',
  search: 'Search',
  instanceUrl: 'Address',
  contactName: 'Contact name',
  contactEmail: 'Contact email',
  addressLine1: 'Address',
  addressLine2: 'Address line 2',
  postalCode: 'Postal code',
  confirmName: 'Account name',
};

export function fieldWord(path: readonly PropertyKey[]): string {
  const key = [...path].reverse().find((p) => typeof p === 'string');
  if (key === undefined) return 'This value';
  const known = fieldWords[key];
  if (known) return known;
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const count = (n: number | bigint, one: string, many = `${one}s`) =>
  `${Number(n).toLocaleString('en-US')} ${Number(n) === 1 ? one : many}`;

/**
 * Zod's default messages ("Too big: expected string to have <=120
 * characters") in people's words ("Name can be at most 120 characters").
 * Given to every parse of an API input, so it speaks for each field that
 * has no message of its own: a message written on a schema wins over it.
 */
export function humanIssue(issue: z.core.$ZodRawIssue): string {
  const field = fieldWord(issue.path ?? []);
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined || issue.input === null ? `${field} is required` : `${field} is not valid`;
    case 'too_small': {
      const min = issue.minimum;
      if (issue.origin === 'string')
        return Number(min) <= 1 ? `${field} is required` : `${field} must be at least ${count(min, 'character')}`;
      if (issue.origin === 'array' || issue.origin === 'set')
        return Number(min) <= 1
          ? `Choose at least one for ${field.toLowerCase()}`
          : `Choose at least ${min} for ${field.toLowerCase()}`;
      return `${field} must be at least ${String(min)}`;
    }
    case 'too_big': {
      const max = issue.maximum;
      if (issue.origin === 'string') return `${field} can be at most ${count(max, 'character')}`;
      if (issue.origin === 'array' || issue.origin === 'set') return `${field} can hold at most ${count(max, 'item')}`;
      return `${field} can be at most ${String(max)}`;
    }
    case 'invalid_format':
      if (issue.format === 'email') return 'Enter a valid email address';
      if (issue.format === 'url') return `${field} must be a web address`;
      return `${field} is not in the right format`;
    case 'invalid_value':
      return `Choose one of the offered options for ${field.toLowerCase()}`;
    case 'unrecognized_keys':
      return `Unexpected field${issue.keys.length === 1 ? '' : 's'}: ${issue.keys.join(', ')}`;
    case 'not_multiple_of':
      return `${field} must be a multiple of ${String(issue.divisor)}`;
    default:
      return `${field} is not valid`;
  }
}
