import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { GatewayNotice } from './recharge.machine';
import { signNotice, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignedNotice, type CreatePaymentInput, type PaymentGateway } from './payment-gateway';

export interface SandboxOptions {
  secret: string;
  /** Where the pretend bank page is served; a function gets the origin of the payment's return address. */
  bankPageUrl: string | ((origin: string) => string);
  /** Delivers a callback; resolves with the HTTP status. Default: fetch. */
  post?: (url: string, headers: Record<string, string>, body: string) => Promise<number>;
  /** Delay before each delivery, in ms (tests pass 0). */
  delayMs?: () => number;
  /** How many times a successful notice is repeated (gateways do), 1–3 by default. */
  duplicates?: () => number;
  log?: (line: string) => void;
  /** The gateway's wall clock in ms, for signing and checking notice timestamps (tests move it). Default: Date.now. */
  now?: () => number;
}

export interface SandboxPaymentRequest extends CreatePaymentInput {
  signature: string;
}

/**
 * The built-in sandbox of a payment gateway: a pretend bank page where the payer approves or declines,
 * then signed asynchronous callbacks to the notify URL — late, repeated, and retried until answered
 * with 200 (up to 6 tries), as real gateways do.
 */
export function createSandboxGateway(opts: SandboxOptions): PaymentGateway & {
  /** Checks that bank-page parameters were issued by us (the payer cannot change the amount). */
  readRequest(params: URLSearchParams): SandboxPaymentRequest | null;
  /** The payer's decision on the bank page: schedules the callbacks; returns where the browser goes next. */
  decide(req: SandboxPaymentRequest, approve: boolean): { returnUrl: string; delivered: Promise<void> };
} {
  const post =
    opts.post ??
    (async (url, headers, body) => {
      const r = await fetch(url, { method: 'POST', headers, body });
      return r.status;
    });
  const now = opts.now ?? Date.now;
  const delay = opts.delayMs ?? (() => randomInt(200, 2500));
  const duplicates = opts.duplicates ?? (() => randomInt(1, 4));
  const requestSig = (p: CreatePaymentInput) =>
    createHmac('sha256', opts.secret).update(['bank', p.orderNo, p.amountFen, p.bankCode, p.returnUrl, p.notifyUrl].join('|')).digest('hex');

  async function deliver(notifyUrl: string, notice: GatewayNotice) {
    const body = JSON.stringify(notice);
    for (let attempt = 0; attempt < 6; attempt++) {
      await new Promise((r) => setTimeout(r, delay() * (attempt + 1)));
      // Every try is signed afresh: a retry hours after the payment still carries a current timestamp.
      const ts = String(now());
      const status = await post(
        notifyUrl,
        { 'content-type': 'application/json', [SIGNATURE_HEADER]: signNotice(opts.secret, ts, body), [TIMESTAMP_HEADER]: ts },
        body,
      ).catch(() => 0);
      if (status === 200) return;
      opts.log?.(`sandbox gateway: notice for ${notice.orderNo} answered ${status}, retrying`);
    }
  }

  return {
    name: 'sandbox',
    async createPayment(input) {
      const q = new URLSearchParams({ ...Object.fromEntries(Object.entries(input).map(([k, v]) => [k, String(v)])), signature: requestSig(input) });
      const page = typeof opts.bankPageUrl === 'function' ? opts.bankPageUrl(new URL(input.returnUrl).origin) : opts.bankPageUrl;
      return { redirectUrl: `${page}?${q}` };
    },
    verifyNotice: (headers, rawBody) => verifySignedNotice(opts.secret, headers, rawBody, now()),
    readRequest(params) {
      const p = {
        orderNo: params.get('orderNo') ?? '',
        amountFen: Number(params.get('amountFen')),
        bankCode: params.get('bankCode') ?? '',
        returnUrl: params.get('returnUrl') ?? '',
        notifyUrl: params.get('notifyUrl') ?? '',
        signature: params.get('signature') ?? '',
      };
      if (!/^[0-9a-f]{64}$/.test(p.signature)) return null;
      const ok = timingSafeEqual(Buffer.from(requestSig(p), 'hex'), Buffer.from(p.signature, 'hex'));
      return ok ? p : null;
    },
    decide(req, approve) {
      const notice: GatewayNotice = {
        orderNo: req.orderNo,
        tradeNo: `SBX${Date.now()}${randomInt(1000, 9999)}`,
        amountFen: req.amountFen,
        result: approve ? 'SUCCESS' : 'FAILED',
      };
      const n = approve ? duplicates() : 1;
      const delivered = Promise.all(Array.from({ length: n }, () => deliver(req.notifyUrl, notice))).then(() => undefined);
      return { returnUrl: req.returnUrl, delivered };
    },
  };
}

export type SandboxGateway = ReturnType<typeof createSandboxGateway>;
