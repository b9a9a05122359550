/** The accounts a `conflict` refusal of sign-in offers: `accountId` lists them, `account:<id>` names each. */
export function choicesOf(fields: Record<string, string> | undefined): { id: string; name: string }[] {
  if (!fields?.accountId) return [];
  return fields.accountId
    .split(',')
    .filter((id) => /^\d+$/.test(id))
    .map((id) => ({ id, name: fields[`account:${id}`] || `Account ${id}` }));
}
