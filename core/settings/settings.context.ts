import { platformSettings } from '../../db/schema';
import { defineContext } from '../platform/context';
import { createSettingsService } from './settings.service';

/** Operator-configurable settings (platform_settings); each key is declared by the context it belongs to. */
export const settingsContext = defineContext({
  name: 'settings',
  tables: { platformSettings },
  create: ({ db }) => ({ settings: createSettingsService({ db }) }),
  settings: ['calendar'],
});
