import { join, resolve } from 'node:path';

/** Where the e2e host keeps its data, so the tests can read the same database and find the proxy. */
export const E2E_DIR = join(resolve(import.meta.dirname, '../..'), '.cache', process.env.E2E_NAME ?? 'e2e');
export const E2E_DB = join(E2E_DIR, 'teamline.db');
/** The phone service as the host started it: `{ wsUrl, sipPort, runDir, log }`. */
export const E2E_PHONE = join(E2E_DIR, 'phone.json');
export const E2E_SIP_RUN_DIR = join(E2E_DIR, 'sip');
/** Calls to +numbers go to this loopback port, where a test's sipp may answer. */
export const E2E_PEER_PORT = Number(process.env.E2E_PEER_PORT ?? 5198);
/** The browser host of the suite (E2E_PORT, to run a second copy of the suite beside the first). */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 5199);
