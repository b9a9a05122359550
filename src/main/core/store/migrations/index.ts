import * as m001 from './001_init';
import * as m002 from './002_list_indexes';
import * as m003 from './003_page_row_indexes';
import * as m004 from './004_list_search';
import * as m005 from './005_invitations_devices';
import * as m006 from './006_carrier';
import * as m007 from './007_users_email_per_account';
import * as m008 from './008_call_notes_tags';
import * as m009 from './009_branch_filter_columns';
import * as m010 from './010_call_recordings';
import * as m011 from './011_carrier_numbers_emergencies';
import * as m012 from './012_sms_outbox';
import * as m013 from './013_participant_filter_columns';
import * as m014 from './014_call_rollups';
import * as m015 from './015_participant_copies_follow';
import * as m016 from './016_search_parts_copart';
import * as m017 from './017_access_epoch';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Append only: a shipped migration is never edited; versions go up by one. */
export const migrations: readonly Migration[] = [
  { version: 1, name: 'init', sql: m001.sql },
  { version: 2, name: 'list_indexes', sql: m002.sql },
  { version: 3, name: 'page_row_indexes', sql: m003.sql },
  { version: 4, name: 'list_search', sql: m004.sql },
  { version: 5, name: 'invitations_devices', sql: m005.sql },
  { version: 6, name: 'carrier', sql: m006.sql },
  { version: 7, name: 'users_email_per_account', sql: m007.sql },
  { version: 8, name: 'call_notes_tags', sql: m008.sql },
  { version: 9, name: 'branch_filter_columns', sql: m009.sql },
  { version: 10, name: 'call_recordings', sql: m010.sql },
  { version: 11, name: 'carrier_numbers_emergencies', sql: m011.sql },
  { version: 12, name: 'sms_outbox', sql: m012.sql },
  { version: 13, name: 'participant_filter_columns', sql: m013.sql },
  { version: 14, name: 'call_rollups', sql: m014.sql },
  { version: 15, name: 'participant_copies_follow', sql: m015.sql },
  { version: 16, name: 'search_parts_copart', sql: m016.sql },
  { version: 17, name: 'access_epoch', sql: m017.sql },
];
