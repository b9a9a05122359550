import * as m001 from './001_init';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Append only: a shipped migration is never edited; versions go up by one. */
export const migrations: readonly Migration[] = [{ version: 1, name: 'init', sql: m001.sql }];
