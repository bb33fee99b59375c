import { describe, expect, expectTypeOf, it } from 'vitest';
import { CONTEXTS, type ContextName } from '../contexts';
import { FILE_PURPOSES } from '../files/files.service';
import { SETTING_KEYS } from '../settings/settings.service';
import type { RoomService } from '../rooms/rooms.service';
import type { Ledger } from '../wallet/ledger.service';
import { defineContext, type CheckOrder } from './context';
import { buildServices, fileAccessCheck } from './platform';
import type { Services } from './platform';

const noDeps = {} as Parameters<typeof buildServices>[1];

describe('the context list', () => {
  it('keeps platform.services flat, with the same names and inferred types', () => {
    expectTypeOf<Services['rooms']>().toEqualTypeOf<RoomService>();
    expectTypeOf<Services['ledger']>().toEqualTypeOf<Ledger>();
    expectTypeOf<Services>().toHaveProperty('orders');
    expectTypeOf<
      'notifications' | 'accounts' | 'organisations' | 'audit' | 'settings' | 'files' | 'wallet' | 'rooms' | 'tenders' | 'escrow' | 'mall'
    >().toExtend<ContextName>();
  });

  it('lists each context once, after every context it needs', () => {
    const seen = new Set<string>();
    for (const ctx of CONTEXTS) {
      expect(seen.has(ctx.name), ctx.name).toBe(false);
      for (const n of ctx.needs) expect(seen.has(n), `${ctx.name} needs ${n}`).toBe(true);
      seen.add(ctx.name);
    }
  });

  it('gives every file purpose exactly one owner', () => {
    const owners = FILE_PURPOSES.map((p) => CONTEXTS.filter((c) => (c.fileAccess as Record<string, unknown> | undefined)?.[p]).map((c) => c.name));
    expect(owners.map((o) => o.length)).toEqual(FILE_PURPOSES.map(() => 1));
    expect(() => fileAccessCheck([CONTEXTS[0]], {})).toThrow(/no context decides/);
  });

  it('gives every operator setting exactly one owning context', () => {
    const declared = CONTEXTS.flatMap((c) => c.settings ?? []);
    expect(declared.toSorted()).toEqual(SETTING_KEYS.toSorted());
  });

  it('refuses a list where a context comes before one it needs (by type and at start)', async () => {
    const a = defineContext({ name: 'a', create: () => ({ alpha: 1 }) });
    const b = defineContext({ name: 'b', needs: ['a'], create: (_d, { alpha }: { alpha: number }) => ({ beta: alpha + 1 }) });
    expectTypeOf<CheckOrder<[typeof a, typeof b]>>().toEqualTypeOf<true>();
    expectTypeOf<CheckOrder<[typeof b, typeof a]>>().toEqualTypeOf<"context 'b' needs services of a context that is not listed before it">();
    await expect(buildServices([a, b], noDeps)).resolves.toEqual({ alpha: 1, beta: 2 });
    await expect(buildServices([b, a], noDeps)).rejects.toThrow(/context b needs a/);
    const clash = defineContext({ name: 'c', create: () => ({ alpha: 3 }) });
    await expect(buildServices([a, clash], noDeps)).rejects.toThrow(/services.alpha of context c/);
  });
});
