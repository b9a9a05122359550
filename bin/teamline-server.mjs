#!/usr/bin/env node
// The team server's command (package.json "bin"): runs its TypeScript entry through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/main/teamserver/cli.ts');
