import { randomInt } from 'node:crypto';
import type { DbOrTx } from '../../db/client';
import type { Notifier } from '../notifications/notifier';
import { formatFen } from '../shared/money';

export interface PayoutRequest {
  reference: string;
  bankCode: string;
  accountNo: string;
  holderName: string;
  amountFen: number;
  /** The sandbox "bank" texts this number when money arrives, as real banks do. */
  notifyMobile?: string;
}

/** Sends money from the platform's account to a bank account (micro-deposits, withdrawals). */
export interface PayoutGateway {
  send(req: PayoutRequest, tx?: DbOrTx): Promise<{ payoutRef: string }>;
}

/** The sandbox bank: accepts every payout and texts the payee an arrival notice through the outbox. */
export function createSandboxPayoutGateway(notifier: Notifier): PayoutGateway {
  return {
    async send(req, tx) {
      const payoutRef = `PO${Date.now()}${randomInt(1000, 9999)}`;
      if (req.notifyMobile) {
        await notifier.sendSms(
          {
            to: req.notifyMobile,
            text: `【沙箱银行】您尾号${req.accountNo.slice(-4)}的账户收到帮扶平台转账 ${formatFen(req.amountFen)}，摘要：${req.reference}。`,
          },
          tx,
        );
      }
      return { payoutRef };
    },
  };
}
