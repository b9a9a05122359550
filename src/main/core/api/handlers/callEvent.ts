import type { z } from 'zod';
import type { CallEvent as Schema } from '../../../../shared/api/entities';

export type CallEvent = z.infer<typeof Schema>;
