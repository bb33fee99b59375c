import { z } from 'zod';
import type { Db, DbOrTx } from '../../db/client';
import { requireActor, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { regionName } from '../shared/regions';
import { parseInput } from '../shared/validate';
import { Mobile } from '../shared/validators';
import { addressesRepo as repo, type AddressRow } from './addresses.repo';
import { DistrictOrTownship } from './mall-regions';

/** A person may keep this many delivery addresses. */
export const MAX_ADDRESSES = 20;

export const AddressInput = z.object({
  recipient: z.string({ message: '请填写收货人' }).trim().min(2, '收货人 2–20 个字').max(20, '收货人 2–20 个字'),
  mobile: Mobile,
  regionCode: DistrictOrTownship('请选择所在地区'),
  detail: z.string({ message: '请填写详细地址' }).trim().min(4, '请填写详细地址（街道、门牌号）').max(120, '详细地址不超过 120 个字'),
  isDefault: z.boolean({ message: '是否设为默认地址须为 true 或 false' }).optional(),
});
export type AddressInput = z.input<typeof AddressInput>;

export interface AddressView {
  id: string;
  recipient: string;
  mobile: string;
  regionCode: string;
  regionName: string;
  detail: string;
  /** Region and detail together, as a label prints it. */
  fullAddress: string;
  isDefault: boolean;
  createdAt: Date;
}

export const toAddressView = (r: AddressRow): AddressView => ({
  id: r.id,
  recipient: r.recipient,
  mobile: r.mobile,
  regionCode: r.regionCode,
  regionName: regionName(r.regionCode),
  detail: r.detail,
  fullAddress: `${regionName(r.regionCode)} ${r.detail}`,
  isDefault: r.isDefault,
  createdAt: r.createdAt,
});

const NOT_FOUND = '收货地址不存在';

/**
 * 收货地址 (manual 000, 二(四)): each person's own delivery addresses, at most 20, exactly one of
 * them the default while any exist (the first becomes it; choosing another moves it; deleting it
 * passes it to the newest left). Another person's address is NOT_FOUND. Writes lock the person's
 * user row, so concurrent requests of one person run one after the other.
 */
export function createAddressService({ db, clock }: { db: Db; clock: Clock }) {
  async function own(q: DbOrTx, userId: string, id: string) {
    if (!z.uuid().safeParse(id).success) throw new AppError('NOT_FOUND', NOT_FOUND);
    const row = await repo.findOwn(q, userId, id);
    if (!row) throw new AppError('NOT_FOUND', NOT_FOUND);
    return row;
  }

  const { lockUser, moveDefault } = repo;
  const listOf = async (q: DbOrTx, userId: string) => (await repo.listOf(q, userId)).map(toAddressView);

  return {
    /** The caller's addresses, the default first, then newest first. */
    async list(actor: Actor | null) {
      return listOf(db, requireActor(actor).userId);
    },

    async get(actor: Actor | null, id: string) {
      return toAddressView(await own(db, requireActor(actor).userId, id));
    },

    /** For checkout inside the orders transaction: the user's address or NOT_FOUND. */
    async getForUser(userId: string, id: string, q: DbOrTx = db) {
      return toAddressView(await own(q, userId, id));
    },

    /** The caller's default address, if any. */
    async findDefault(actor: Actor | null) {
      const a = requireActor(actor);
      const row = await repo.findDefault(db, a.userId);
      return row ? toAddressView(row) : undefined;
    },

    /** Adds an address; the first one, or one marked default, becomes the default. Errors: VALIDATION, ADDRESS_LIMIT_REACHED (20 already). */
    async create(actor: Actor | null, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(AddressInput, raw);
      const row = await db.transaction(async (tx) => {
        await lockUser(tx, a.userId);
        const n = await repo.countOf(tx, a.userId);
        if (n >= MAX_ADDRESSES) throw new AppError('ADDRESS_LIMIT_REACHED', `最多保存 ${MAX_ADDRESSES} 个收货地址，请先删除不用的地址`);
        const created = await repo.insert(tx, {
          userId: a.userId,
          recipient: input.recipient,
          mobile: input.mobile,
          regionCode: input.regionCode,
          detail: input.detail,
          createdAt: clock.now(),
        });
        if (n === 0 || input.isDefault) await moveDefault(tx, a.userId, created.id);
        return own(tx, a.userId, created.id);
      });
      return toAddressView(row);
    },

    /** Edits an address; `isDefault: true` moves the default here (false on the default is ignored: there is always one). */
    async update(actor: Actor | null, id: string, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(AddressInput, raw);
      const row = await db.transaction(async (tx) => {
        await lockUser(tx, a.userId);
        await own(tx, a.userId, id);
        await repo.update(tx, a.userId, id, { recipient: input.recipient, mobile: input.mobile, regionCode: input.regionCode, detail: input.detail });
        if (input.isDefault) await moveDefault(tx, a.userId, id);
        return own(tx, a.userId, id);
      });
      return toAddressView(row);
    },

    /** Makes the address the caller's default. */
    async setDefault(actor: Actor | null, id: string) {
      const a = requireActor(actor);
      const row = await db.transaction(async (tx) => {
        await lockUser(tx, a.userId);
        await own(tx, a.userId, id);
        await moveDefault(tx, a.userId, id);
        return own(tx, a.userId, id);
      });
      return toAddressView(row);
    },

    /** Deletes the address; when it was the default, the newest remaining one becomes the default. */
    async remove(actor: Actor | null, id: string) {
      const a = requireActor(actor);
      await db.transaction(async (tx) => {
        await lockUser(tx, a.userId);
        const row = await own(tx, a.userId, id);
        await repo.remove(tx, a.userId, id);
        if (row.isDefault) {
          const next = await repo.newest(tx, a.userId);
          if (next) await moveDefault(tx, a.userId, next.id);
        }
      });
      return { deleted: true };
    },
  };
}

export type AddressService = ReturnType<typeof createAddressService>;
