import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { Paging } from '../shared/paging';
import validator from 'validator';
import type { Db, DbOrTx } from '../../db/client';
import { hashPassword, verifyPassword } from '../accounts/passwords';
import type { AccountService } from '../accounts/accounts.service';
import type { OrganisationService } from '../organisations/organisations.service';
import { recordAudit } from '../audit/audit';
import type { MessageService } from '../notifications/messages.service';
import { requireActor, requireOperator, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { authorizeActing } from '../shared/access';
import type { Clock } from '../shared/clock';
import { formatFen } from '../shared/money';
import { parseInput } from '../shared/validate';
import type { Ledger } from './ledger.service';
import { BANK_CODES, BANKS } from './payment-gateway';
import type { PayoutGateway } from './payout-gateway';
import { makeOrderNo } from './recharge.machine';
import { withdrawalRepo as repo, type CardRow, type WithdrawalRow } from './withdrawal.repo';

export const CARD_MAX_FAILED_ATTEMPTS = 3;
export const SECURITY_MAX_FAILED_ATTEMPTS = 5;
export const SECURITY_LOCK_MS = 30 * 60_000;

const SecurityPassword = z.string({ message: '请填写安全密码' }).regex(/^\d{6}$/, '安全密码为 6 位数字');

export const AddCardInput = z
  .object({
    accountType: z.enum(['corporate', 'personal'], { message: '请选择账户类型' }),
    holderName: z.string({ message: '请填写开户名' }).trim().min(2, '请填写开户名').max(100),
    bankCode: z.enum(BANK_CODES, { message: '请选择开户银行' }),
    branch: z.string({ message: '请填写开户支行' }).trim().min(2, '请填写开户支行').max(100),
    accountNo: z.string({ message: '请填写账号' }).transform((s) => s.replace(/[\s-]/g, '')),
  })
  .superRefine((v, ctx) => {
    const ok = v.accountType === 'personal' ? /^\d{16,19}$/.test(v.accountNo) && validator.isLuhnNumber(v.accountNo) : /^\d{8,32}$/.test(v.accountNo);
    if (!ok)
      ctx.addIssue({
        code: 'custom',
        path: ['accountNo'],
        message: v.accountType === 'personal' ? '银行卡号应为 16–19 位数字且校验位正确' : '对公账号应为 8–32 位数字',
      });
  });
export type AddCardInput = z.infer<typeof AddCardInput>;

export const VerifyCardInput = z.object({
  amountFen: z.number({ message: '请填写收到的金额' }).int('金额最多两位小数').min(1, '金额在 ¥0.01 至 ¥0.99 之间').max(99, '金额在 ¥0.01 至 ¥0.99 之间'),
});

export const SetSecurityPasswordInput = z
  .object({
    loginPassword: z.string({ message: '请填写登录密码' }).min(1, '请填写登录密码'),
    securityPassword: SecurityPassword,
    confirmSecurityPassword: z.string(),
  })
  .refine((v) => v.securityPassword === v.confirmSecurityPassword, { path: ['confirmSecurityPassword'], message: '两次输入的安全密码不一致' });

export const RequestWithdrawalInput = z.object({
  amountFen: z.number({ message: '请填写提现金额' }).int('金额最多两位小数').min(100, '单笔提现不少于 ¥1.00'),
  cardId: z.uuid('请选择银行卡'),
  securityPassword: SecurityPassword,
  /** Client-generated: a resent request creates one withdrawal. */
  requestId: z.string().min(8).max(64).optional(),
});

export const ReviewWithdrawalInput = z.discriminatedUnion('decision', [
  z.object({ decision: z.literal('approve') }),
  z.object({ decision: z.literal('reject'), reason: z.string({ message: '请填写驳回原因' }).trim().min(2, '请填写驳回原因').max(200) }),
]);

export const maskAccountNo = (s: string) => `${s.slice(0, 4)} **** **** ${s.slice(-4)}`;
export const toCardView = (c: CardRow) => ({
  id: c.id,
  accountType: c.accountType,
  holderName: c.holderName,
  bankCode: c.bankCode,
  bankName: BANKS.find((b) => b.code === c.bankCode)?.name ?? c.bankCode,
  branch: c.branch,
  accountNoMasked: maskAccountNo(c.accountNo),
  status: c.status,
  attemptsLeft: Math.max(0, CARD_MAX_FAILED_ATTEMPTS - c.failedAttempts),
  verifiedAt: c.verifiedAt,
  createdAt: c.createdAt,
});

/** The withdrawal as WithdrawalView publishes it (who asked and who decided stay in the audit trail). */
export const toWithdrawalView = (w: WithdrawalRow) => ({
  id: w.id,
  withdrawalNo: w.withdrawalNo,
  organisationId: w.organisationId,
  cardId: w.cardId,
  amountFen: w.amountFen,
  status: w.status,
  rejectReason: w.rejectReason,
  payoutRef: w.payoutRef,
  reviewedAt: w.reviewedAt,
  createdAt: w.createdAt,
});

export interface WithdrawalDeps {
  db: Db;
  clock: Clock;
  ledger: Ledger;
  messages: MessageService;
  payouts: PayoutGateway;
  /** The login password and the mobile of a user belong to accounts. */
  accounts: Pick<AccountService, 'checkLoginPassword' | 'mobileOf'>;
  /** Organisation names for the operators' list. */
  organisations: Pick<OrganisationService, 'namesOf'>;
}

/** 银行认证, 安全密码 and 提现. */
export function createWithdrawalService(deps: WithdrawalDeps) {
  const { db, clock, ledger, messages, payouts, accounts, organisations } = deps;

  /** One of the organisation's own cards (another organisation's is NOT_FOUND); `lock` for a decision on it. */
  const ownCard = async (q: DbOrTx, orgId: string, cardId: string, opts: { lock?: boolean } = {}) => {
    if (!z.uuid().safeParse(cardId).success) throw new AppError('NOT_FOUND', '银行卡不存在');
    const card = await repo.findOwnCard(q, orgId, cardId, opts);
    if (!card || card.status === 'removed') throw new AppError('NOT_FOUND', '银行卡不存在');
    return card;
  };

  /**
   * Checks the security password; 5 wrong tries lock withdrawals for 30 minutes. The check runs under
   * the password row's lock (SELECT … FOR UPDATE held through the verify), so concurrent tries are
   * counted one after another exactly as if they came in turn: once the fifth wrong one is counted,
   * every try still waiting sees the lock and is refused without a verify, whatever it carries.
   * Errors: SECURITY_PASSWORD_NOT_SET, SECURITY_PASSWORD_LOCKED (with retryAfterSeconds), SECURITY_PASSWORD_WRONG (tries left).
   */
  async function checkSecurityPassword(userId: string, password: string) {
    const now = clock.now();
    const outcome = await db.transaction(async (tx) => {
      const row = await repo.lockSecurityPassword(tx, userId);
      if (!row) return { kind: 'none' as const };
      if (row.lockedUntil && row.lockedUntil > now) return { kind: 'locked' as const, until: row.lockedUntil };
      if (await verifyPassword(row.passwordHash, password)) {
        if (row.failedAttempts || row.lockedUntil) await repo.setSecurityPasswordTries(tx, userId, 0, null);
        return { kind: 'ok' as const };
      }
      const failedAttempts = row.failedAttempts + 1;
      const lockedUntil = failedAttempts >= SECURITY_MAX_FAILED_ATTEMPTS ? new Date(now.getTime() + SECURITY_LOCK_MS) : null;
      await repo.setSecurityPasswordTries(tx, userId, failedAttempts, lockedUntil);
      return { kind: 'wrong' as const, left: SECURITY_MAX_FAILED_ATTEMPTS - failedAttempts };
    });
    if (outcome.kind === 'ok') return;
    if (outcome.kind === 'none') throw new AppError('SECURITY_PASSWORD_NOT_SET', '请先设置安全密码', { securityPassword: '请先设置安全密码' });
    if (outcome.kind === 'locked') {
      const minutes = Math.ceil((outcome.until.getTime() - now.getTime()) / 60_000);
      throw new AppError(
        'SECURITY_PASSWORD_LOCKED',
        `安全密码错误次数过多，请 ${minutes} 分钟后再试`,
        { securityPassword: `输错次数太多，请 ${minutes} 分钟后再试` },
        minutes * 60,
      );
    }
    if (outcome.left <= 0)
      throw new AppError(
        'SECURITY_PASSWORD_LOCKED',
        '安全密码错误次数过多，30 分钟内不能提现',
        { securityPassword: '输错次数太多，30 分钟内不能提现' },
        SECURITY_LOCK_MS / 1000,
      );
    throw new AppError('SECURITY_PASSWORD_WRONG', '安全密码错误', { securityPassword: `安全密码错误，还可尝试 ${outcome.left} 次` });
  }

  return {
    /**
     * Adds a card and sends the micro-deposit (¥0.01–¥0.99, paid by the platform through the ledger).
     * Corporate accounts must be in the organisation's full name.
     */
    async addCard(actor: Actor | null, raw: unknown) {
      const a = requireActor(actor);
      const org = authorizeActing(a, 'cards.manage');
      const input = parseInput(AddCardInput, raw);
      if (input.accountType === 'corporate' && input.holderName !== org.fullName) {
        throw new AppError('VALIDATION', '请检查填写的内容', { holderName: `对公账户的开户名须与单位全称一致：${org.fullName}` });
      }
      const micro = randomInt(1, 100);
      const notifyMobile = await accounts.mobileOf(a.userId);
      const card = await db
        .transaction(async (tx) => {
          const c = await repo.insertCard(tx, { organisationId: org.organisationId, addedBy: a.userId, ...input, microDepositFen: micro });
          await ledger.transfer(tx, {
            debitAccountId: await ledger.platformAccount('revenue'),
            creditAccountId: await ledger.platformAccount('payout_clearing'),
            amountFen: micro,
            kind: 'card_verification',
            reference: `银行认证 ${maskAccountNo(input.accountNo)}`,
            idempotencyKey: `card-verification:${c.id}`,
          });
          await payouts.send(
            {
              reference: '帮扶平台银行认证',
              bankCode: input.bankCode,
              accountNo: input.accountNo,
              holderName: input.holderName,
              amountFen: micro,
              notifyMobile,
            },
            tx,
          );
          return c;
        })
        .catch((e: unknown) => {
          const code = (e as { code?: string; cause?: { code?: string } }).cause?.code ?? (e as { code?: string }).code;
          if (code === '23505') throw new AppError('CARD_ALREADY_ADDED', '该账号已添加', { accountNo: '该账号已添加' });
          throw e;
        });
      return toCardView(card);
    },

    /** The user enters the micro-deposit amount received; 3 wrong tries fail the card. */
    async verifyCard(actor: Actor | null, cardId: string, raw: unknown) {
      const org = authorizeActing(actor, 'cards.manage');
      const input = parseInput(VerifyCardInput, raw);
      const result = await db.transaction(async (tx) => {
        const card = await ownCard(tx, org.organisationId, cardId, { lock: true });
        if (card.status !== 'pending') return { card, ok: card.status === 'verified', final: true };
        if (card.microDepositFen === input.amountFen) {
          return { card: await repo.updateCard(tx, card.id, { status: 'verified', verifiedAt: clock.now() }), ok: true, final: false };
        }
        const failed = card.failedAttempts + 1;
        const v = await repo.updateCard(tx, card.id, { failedAttempts: failed, status: failed >= CARD_MAX_FAILED_ATTEMPTS ? 'failed' : 'pending' });
        return { card: v, ok: false, final: false };
      });
      if (!result.ok) {
        if (result.card.status === 'failed')
          throw new AppError('CARD_VERIFICATION_FAILED', '金额错误次数过多，认证失败，请重新添加', { amountFen: '认证失败，请删除后重新添加' });
        throw new AppError('CARD_AMOUNT_WRONG', '金额不正确', {
          amountFen: `金额不正确，还可尝试 ${CARD_MAX_FAILED_ATTEMPTS - result.card.failedAttempts} 次`,
        });
      }
      return toCardView(result.card);
    },

    async listCards(actor: Actor | null) {
      const org = authorizeActing(actor, 'cards.view');
      return (await repo.listCards(db, org.organisationId)).map(toCardView);
    },

    async removeCard(actor: Actor | null, cardId: string) {
      const org = authorizeActing(actor, 'cards.manage');
      const card = await ownCard(db, org.organisationId, cardId);
      await repo.updateCard(db, card.id, { status: 'removed', removedAt: clock.now() });
    },

    async hasSecurityPassword(actor: Actor | null) {
      const a = requireActor(actor);
      return repo.hasSecurityPassword(db, a.userId);
    },

    /** Sets or changes the security password; the login password proves it is the account holder. */
    async setSecurityPassword(actor: Actor | null, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(SetSecurityPasswordInput, raw);
      if (!(await accounts.checkLoginPassword(a.userId, input.loginPassword))) {
        throw new AppError('INVALID_CREDENTIALS', '登录密码不正确', { loginPassword: '登录密码不正确' });
      }
      const passwordHash = await hashPassword(input.securityPassword);
      await repo.upsertSecurityPassword(db, a.userId, passwordHash, clock.now());
      return { message: '安全密码已设置' };
    },

    /**
     * Requests a withdrawal: checks the security password, then moves the amount from available to
     * frozen at once (INSUFFICIENT_FUNDS when it is not there). A resent request (same requestId) counts once.
     */
    async requestWithdrawal(actor: Actor | null, raw: unknown) {
      const a = requireActor(actor);
      const org = authorizeActing(a, 'withdrawals.request');
      const input = parseInput(RequestWithdrawalInput, raw);
      await checkSecurityPassword(a.userId, input.securityPassword);
      const card = await ownCard(db, org.organisationId, input.cardId);
      if (card.status !== 'verified') throw new AppError('CARD_NOT_VERIFIED', '请选择已认证的银行卡', { cardId: '该银行卡尚未通过认证' });
      const w = await ledger.ensureWallet(db, org.organisationId);
      const withdrawalNo = makeOrderNo('W', clock.now());
      return db.transaction(async (tx) => {
        const key = `withdrawal:${org.organisationId}:${input.requestId ?? withdrawalNo}`;
        const { transfer, replayed } = await ledger.transfer(tx, {
          debitAccountId: w.availableId,
          creditAccountId: w.frozenId,
          amountFen: input.amountFen,
          kind: 'withdrawal_freeze',
          reference: withdrawalNo,
          idempotencyKey: key,
        });
        if (replayed) {
          return toWithdrawalView((await repo.findWithdrawalByNo(tx, transfer.reference))!);
        }
        const row = await repo.insertWithdrawal(tx, {
          withdrawalNo,
          organisationId: org.organisationId,
          userId: a.userId,
          cardId: card.id,
          amountFen: input.amountFen,
        });
        await recordAudit(tx, {
          actorUserId: a.userId,
          action: 'wallet.withdrawal_requested',
          targetType: 'withdrawal',
          targetId: withdrawalNo,
          organisationId: org.organisationId,
          after: { status: row.status, amountFen: input.amountFen, cardTail: card.accountNo.slice(-4) },
        });
        return toWithdrawalView(row);
      });
    },

    async listWithdrawals(actor: Actor | null, raw: unknown = {}) {
      const org = authorizeActing(actor, 'withdrawals.view');
      const { page, pageSize } = parseInput(Paging(100, 20), raw);
      const { items, total } = await repo.pageWithdrawals(db, org.organisationId, { limit: pageSize, offset: (page - 1) * pageSize });
      return { items: items.map(toWithdrawalView), total, page, pageSize };
    },

    /** Operators: pending withdrawals, oldest first, with the organisation's name and the (masked) destination card. */
    async listPendingWithdrawals(actor: Actor | null) {
      requireOperator(actor);
      const rows = await repo.listPendingWithdrawals(db, 200);
      const names = await organisations.namesOf(rows.map((r) => r.withdrawal.organisationId));
      return rows.map(({ withdrawal, card }) => ({
        ...toWithdrawalView(withdrawal),
        organisationName: names.get(withdrawal.organisationId) ?? '',
        card: toCardView(card),
      }));
    },

    /**
     * Operator decision. Approve: frozen → payout clearing and the payout is sent. Reject: frozen →
     * available with the reason. The row lock makes a second decision WITHDRAWAL_NOT_PENDING.
     */
    async reviewWithdrawal(actor: Actor | null, withdrawalNo: string, raw: unknown) {
      const op = requireOperator(actor);
      const input = parseInput(ReviewWithdrawalInput, raw);
      const { row, push } = await db.transaction(async (tx) => {
        const w = await repo.findWithdrawalByNo(tx, withdrawalNo, { lock: true });
        if (!w) throw new AppError('NOT_FOUND', '提现申请不存在');
        if (w.status !== 'pending') throw new AppError('WITHDRAWAL_NOT_PENDING', '该提现申请已处理');
        const wallet = await ledger.ensureWallet(tx, w.organisationId);
        const reviewed = { reviewedBy: op.userId, reviewedAt: clock.now() };
        if (input.decision === 'approve') {
          await ledger.transfer(tx, {
            debitAccountId: wallet.frozenId,
            creditAccountId: await ledger.platformAccount('payout_clearing'),
            amountFen: w.amountFen,
            kind: 'withdrawal_payout',
            reference: w.withdrawalNo,
            idempotencyKey: `withdrawal-payout:${w.id}`,
          });
          const card = (await repo.findCard(tx, w.cardId))!;
          const notifyMobile = await accounts.mobileOf(w.userId, tx);
          const { payoutRef } = await payouts.send(
            {
              reference: `帮扶平台提现 ${w.withdrawalNo}`,
              bankCode: card.bankCode,
              accountNo: card.accountNo,
              holderName: card.holderName,
              amountFen: w.amountFen,
              notifyMobile,
            },
            tx,
          );
          const row = await repo.updateWithdrawal(tx, w.id, { status: 'paid', payoutRef, ...reviewed });
          await recordAudit(tx, {
            actorUserId: op.userId,
            action: 'wallet.withdrawal_approved',
            targetType: 'withdrawal',
            targetId: w.withdrawalNo,
            organisationId: w.organisationId,
            before: { status: w.status, amountFen: w.amountFen },
            after: { status: 'paid', amountFen: w.amountFen, payoutRef },
          });
          const sent = await messages.send(
            {
              userId: w.userId,
              title: '提现已打款',
              body: `提现 ${w.withdrawalNo}：${formatFen(w.amountFen)} 已汇至尾号 ${card.accountNo.slice(-4)} 的账户。`,
              link: '/wallet',
              category: 'wallet',
            },
            tx,
          );
          return { row, push: sent.push };
        }
        await ledger.transfer(tx, {
          debitAccountId: wallet.frozenId,
          creditAccountId: wallet.availableId,
          amountFen: w.amountFen,
          kind: 'withdrawal_release',
          reference: w.withdrawalNo,
          idempotencyKey: `withdrawal-release:${w.id}`,
        });
        const row = await repo.updateWithdrawal(tx, w.id, { status: 'rejected', rejectReason: input.reason, ...reviewed });
        await recordAudit(tx, {
          actorUserId: op.userId,
          action: 'wallet.withdrawal_rejected',
          targetType: 'withdrawal',
          targetId: w.withdrawalNo,
          organisationId: w.organisationId,
          before: { status: w.status, amountFen: w.amountFen },
          after: { status: 'rejected', amountFen: w.amountFen },
          reason: input.reason,
        });
        const sent = await messages.send(
          {
            userId: w.userId,
            title: '提现未通过',
            body: `提现 ${w.withdrawalNo}（${formatFen(w.amountFen)}）未通过审核：${input.reason}。款项已退回可用余额。`,
            link: '/wallet',
            category: 'wallet',
          },
          tx,
        );
        return { row, push: sent.push };
      });
      await push();
      return toWithdrawalView(row);
    },
  };
}

export type WithdrawalService = ReturnType<typeof createWithdrawalService>;
