import type { PageComponent } from './sections';
import { CallsPage } from '../features/calls/CallsPage';

/** Every section's page, by route key. */
export const pages: Record<string, PageComponent> = {
  calls: CallsPage,
};
