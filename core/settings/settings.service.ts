import type { z } from 'zod';
import type { Db, DbOrTx } from '../../db/client';
import { settingsRepo as repo } from './settings.repo';
import { recordAudit } from '../audit/audit';
import { requireOperator, type Actor } from '../shared/actor';
import { parseInput } from '../shared/validate';
import { DEFAULT_DEPOSIT_SETTINGS, type DepositSettings } from '../tenders/requirements.machine';
import { DepositSettingsInput } from '../tenders/tenders.schema';
import { DEFAULT_ROOM_TIMING, type RoomTiming } from '../rooms/rooms.machine';
import { RoomTimingInput } from '../rooms/rooms.schema';
import { CalendarInput, EscrowFeeInput } from '../escrow/escrow.schema';
import { DEFAULT_CALENDAR, type WorkCalendar } from '../escrow/working-days';
import { DEFAULT_SITE_FOOTER, SiteFooterInput, type SiteFooter } from '../legal/legal.schema';

/** Every operator-configurable setting: its key, default and schema. */
const SETTINGS = {
  'tenders.deposit': { defaults: DEFAULT_DEPOSIT_SETTINGS as DepositSettings, schema: DepositSettingsInput as z.ZodType<DepositSettings> },
  'rooms.timing': { defaults: DEFAULT_ROOM_TIMING as RoomTiming, schema: RoomTimingInput as z.ZodType<RoomTiming> },
  'escrow.fee': { defaults: { feeBp: 0 } as { feeBp: number }, schema: EscrowFeeInput as z.ZodType<{ feeBp: number }> },
  calendar: { defaults: DEFAULT_CALENDAR as WorkCalendar, schema: CalendarInput as unknown as z.ZodType<WorkCalendar> },
  'site.footer': { defaults: DEFAULT_SITE_FOOTER, schema: SiteFooterInput as unknown as z.ZodType<SiteFooter> },
} as const;
export type SettingKey = keyof typeof SETTINGS;
/** Every setting's key (each is owned by one context: `settings` in its context module). */
export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];
type SettingValue<K extends SettingKey> = (typeof SETTINGS)[K]['defaults'];

/** Operator-configurable numbers, stored in `platform_settings`; a missing row means the default. */
export function createSettingsService({ db }: { db: Db }) {
  async function get<K extends SettingKey>(key: K, q: DbOrTx = db): Promise<SettingValue<K>> {
    const row = await repo.findValue(q, key);
    const parsed = row ? SETTINGS[key].schema.safeParse(row.value) : undefined;
    return parsed?.success ? (parsed.data as SettingValue<K>) : SETTINGS[key].defaults;
  }

  return {
    get,
    depositSettings: (q: DbOrTx = db) => get('tenders.deposit', q),

    /** Operators change a setting; the change is audited. Applies to requirements published afterwards. */
    async update<K extends SettingKey>(actor: Actor | null, key: K, raw: unknown): Promise<SettingValue<K>> {
      const a = requireOperator(actor);
      const value = parseInput(SETTINGS[key].schema, raw) as SettingValue<K>;
      await db.transaction(async (tx) => {
        const previous = await repo.findValue(tx, key, { lock: true });
        await repo.upsertValue(tx, key, value, a.userId, new Date());
        await recordAudit(tx, {
          actorUserId: a.userId,
          action: 'settings.update',
          targetType: 'setting',
          targetId: key,
          before: previous?.value ?? SETTINGS[key].defaults,
          after: value,
        });
      });
      return value;
    },
  };
}
export type SettingsService = ReturnType<typeof createSettingsService>;
