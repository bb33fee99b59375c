import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc, eq } from 'drizzle-orm';
import { outbox, securityPasswords, withdrawals } from '../../db/schema';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import { registerUser } from '../testing/factories';
import { fund } from '../testing/tenders-factories';
import type { Platform } from '../platform/platform';

// Runs on PGlite by default and on PostgreSQL (row locks across connections) with DATABASE_URL set.
let p: Platform;
const clock = new ManualClock(new Date());
beforeAll(async () => {
  p = await createTestPlatform({ clock });
});
afterAll(() => p?.close());

const RIGHT = '246810';
const WRONG = '000000';

async function readyToWithdraw(amountFen: number) {
  const u = await registerUser(p);
  await fund(p, u.actor, amountFen);
  const card = await p.services.withdrawals.addCard(u.actor, {
    accountType: 'personal',
    holderName: '张三',
    bankCode: 'ICBC',
    branch: '赣州章贡支行',
    accountNo: '6222021234567890128',
  });
  const [sms] = await p.db.select().from(outbox).where(eq(outbox.recipient, u.input.mobile)).orderBy(desc(outbox.createdAt)).limit(1);
  await p.services.withdrawals.verifyCard(u.actor, card.id, { amountFen: Number(sms!.body.match(/¥0\.(\d\d)/)![1]) });
  await p.services.withdrawals.setSecurityPassword(u.actor, { loginPassword: u.input.password, securityPassword: RIGHT, confirmSecurityPassword: RIGHT });
  const withdraw = (securityPassword: string) =>
    p.services.withdrawals.requestWithdrawal(u.actor, { amountFen: 1_000, cardId: card.id, securityPassword }).then(
      () => 'created',
      (e: { code?: string }) => e.code ?? String(e),
    );
  return { u, withdraw };
}

describe('security password tries under concurrency', () => {
  it('after 4 wrong tries, 25 wrong and the right one at once: no withdrawal, and withdrawals are locked', async () => {
    const { u, withdraw } = await readyToWithdraw(100_000);
    for (let i = 0; i < 4; i++) expect(await withdraw(WRONG)).toBe('SECURITY_PASSWORD_WRONG');
    const outcomes = await Promise.all([...Array.from({ length: 25 }, () => withdraw(WRONG)), withdraw(RIGHT)]);
    expect(outcomes).not.toContain('created');
    expect(outcomes.every((o) => o === 'SECURITY_PASSWORD_LOCKED')).toBe(true);
    expect(await p.db.select().from(withdrawals).where(eq(withdrawals.userId, u.actor.userId))).toHaveLength(0);
    const [row] = await p.db.select().from(securityPasswords).where(eq(securityPasswords.userId, u.actor.userId));
    expect(row!.failedAttempts).toBe(5);
    expect(row!.lockedUntil!.getTime()).toBeGreaterThan(clock.now().getTime());
    expect(await withdraw(RIGHT)).toBe('SECURITY_PASSWORD_LOCKED');
  }, 60_000);

  it('25 concurrent wrong tries from a clean count: exactly 4 answered "wrong", then locked', async () => {
    const { u, withdraw } = await readyToWithdraw(100_000);
    const outcomes = await Promise.all(Array.from({ length: 25 }, () => withdraw(WRONG)));
    expect(outcomes.filter((o) => o === 'SECURITY_PASSWORD_WRONG')).toHaveLength(4);
    expect(outcomes.filter((o) => o === 'SECURITY_PASSWORD_LOCKED')).toHaveLength(21);
    const [row] = await p.db.select().from(securityPasswords).where(eq(securityPasswords.userId, u.actor.userId));
    expect(row!.failedAttempts).toBe(5);
  }, 60_000);
});
