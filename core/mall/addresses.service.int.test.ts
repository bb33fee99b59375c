import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { addresses } from '../../db/schema';
import { createTestPlatform } from '../testing/test-platform';
import { registerUser } from '../testing/factories';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import { MAX_ADDRESSES } from './addresses.service';

let p: Platform;
beforeAll(async () => {
  p = await createTestPlatform();
});
afterAll(() => p?.close());

const someone = async () => (await registerUser(p)).actor;
const form = (over: Record<string, unknown> = {}) => ({
  recipient: '李四',
  mobile: '13800138000',
  regionCode: '500118113',
  detail: '太平村 3 组 12 号',
  ...over,
});
const defaults = async (a: Actor) => (await p.services.addresses.list(a)).filter((x) => x.isDefault).map((x) => x.id);

describe('addresses', () => {
  it('the first address becomes the default; a later one does not unless asked', async () => {
    const a = await someone();
    const first = await p.services.addresses.create(a, form());
    expect(first).toMatchObject({
      isDefault: true,
      regionName: '重庆市 永川区 双石镇',
      fullAddress: '重庆市 永川区 双石镇 太平村 3 组 12 号',
      mobile: '13800138000',
    });
    const second = await p.services.addresses.create(a, form({ recipient: '王五', regionCode: '500242', detail: '钟多街道桃花源大道 8 号' }));
    expect(second.isDefault).toBe(false);
    expect(await defaults(a)).toEqual([first.id]);
    const third = await p.services.addresses.create(a, form({ recipient: '赵六', isDefault: true }));
    expect(await defaults(a)).toEqual([third.id]);
    expect((await p.services.addresses.list(a)).map((x) => x.id)).toEqual([third.id, second.id, first.id]);
    expect((await p.services.addresses.findDefault(a))?.id).toBe(third.id);
  });

  it('setting another default moves it; editing keeps the default unless asked', async () => {
    const a = await someone();
    const one = await p.services.addresses.create(a, form());
    const two = await p.services.addresses.create(a, form({ recipient: '王五' }));
    expect(await p.services.addresses.setDefault(a, two.id)).toMatchObject({ id: two.id, isDefault: true });
    expect(await defaults(a)).toEqual([two.id]);
    const edited = await p.services.addresses.update(a, one.id, form({ recipient: '李四四', detail: '太平村 5 组 1 号' }));
    expect(edited).toMatchObject({ recipient: '李四四', detail: '太平村 5 组 1 号', isDefault: false });
    await p.services.addresses.update(a, one.id, form({ isDefault: true }));
    expect(await defaults(a)).toEqual([one.id]);
    // Unticking the default changes nothing: there is always one.
    await p.services.addresses.update(a, one.id, form({ isDefault: false }));
    expect(await defaults(a)).toEqual([one.id]);
  });

  it('deleting the default passes it to the newest remaining address', async () => {
    const a = await someone();
    const one = await p.services.addresses.create(a, form());
    const two = await p.services.addresses.create(a, form({ recipient: '王五' }));
    const three = await p.services.addresses.create(a, form({ recipient: '赵六' }));
    await p.services.addresses.remove(a, one.id);
    expect(await defaults(a)).toEqual([three.id]);
    await p.services.addresses.remove(a, two.id);
    expect(await defaults(a)).toEqual([three.id]);
    await p.services.addresses.remove(a, three.id);
    expect(await p.services.addresses.list(a)).toEqual([]);
  });

  it(`keeps at most ${MAX_ADDRESSES}`, async () => {
    const a = await someone();
    for (let i = 0; i < MAX_ADDRESSES; i++) await p.services.addresses.create(a, form({ detail: `太平村 ${i + 1} 号` }));
    await expect(p.services.addresses.create(a, form())).rejects.toMatchObject({ code: 'ADDRESS_LIMIT_REACHED', message: expect.stringContaining('20') });
    expect(await p.services.addresses.list(a)).toHaveLength(MAX_ADDRESSES);
  });

  it('concurrent first addresses still leave exactly one default', async () => {
    const a = await someone();
    await Promise.all([0, 1, 2].map((i) => p.services.addresses.create(a, form({ detail: `并发 ${i} 号院` }))));
    expect(await defaults(a)).toHaveLength(1);
  });

  it('another person’s address is NOT_FOUND for every operation', async () => {
    const owner = await someone();
    const other = await someone();
    const mine = await p.services.addresses.create(owner, form());
    await expect(p.services.addresses.get(other, mine.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(p.services.addresses.update(other, mine.id, form({ recipient: '冒名' }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(p.services.addresses.setDefault(other, mine.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(p.services.addresses.remove(other, mine.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(p.services.addresses.getForUser(other.userId, mine.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(p.services.addresses.get(owner, 'not-a-uuid')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await p.services.addresses.list(other)).toEqual([]);
    const [row] = await p.db.select().from(addresses).where(eq(addresses.id, mine.id));
    expect(row).toMatchObject({ recipient: '李四', isDefault: true });
    expect((await p.services.addresses.getForUser(owner.userId, mine.id)).id).toBe(mine.id);
  });

  it('validates field by field and needs a signed-in person', async () => {
    const a = await someone();
    await expect(p.services.addresses.create(a, form({ regionCode: '5001' }))).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { regionCode: '请选择到区县（乡镇可选）' },
    });
    await expect(p.services.addresses.create(a, form({ mobile: '12345' }))).rejects.toMatchObject({ fields: { mobile: '请填写正确的 11 位大陆手机号' } });
    await expect(p.services.addresses.create(a, form({ recipient: '李', detail: '' }))).rejects.toMatchObject({
      fields: { recipient: '收货人 2–20 个字', detail: expect.any(String) },
    });
    await expect(p.services.addresses.create(a, form({ isDefault: 'yes' }))).rejects.toMatchObject({
      fields: { isDefault: '是否设为默认地址须为 true 或 false' },
    });
    await expect(p.services.addresses.create(null, form())).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await p.services.addresses.create(a, form({ regionCode: '500242', mobile: '+86 138-0013-8000' }))).toMatchObject({
      regionCode: '500242',
      mobile: '13800138000',
    });
  });
});
