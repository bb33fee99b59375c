import { describe, expect, it } from 'vitest';
import { agreementStatusText, paymentModeText, releaseModeText } from './escrow.labels';
import { PLATFORM_TERMS, termsOf, TERMS_VERSION } from './agreement-document';

describe('agreement words', () => {
  it('names 付款方式 and 放款方式 apart, each with what it means', () => {
    expect(paymentModeText('full_escrow')).toBe('全额托管（确认协议后，一次存入全部合同款）');
    expect(releaseModeText('per_milestone')).toBe('按里程碑放款（每个里程碑验收通过后，平台把这个里程碑的款项付给服务机构）');
    expect(releaseModeText('at_completion')).not.toContain('支付方式');
    expect(paymentModeText('whatever')).toBe('whatever');
  });
  it('shows 售后处理中 while a case is open, over 已生效 and 已完成', () => {
    expect(agreementStatusText('已生效', { status: 'confirmed', completed: false, openCase: true })).toBe('售后处理中');
    expect(agreementStatusText('已生效', { status: 'confirmed', completed: true, openCase: true })).toBe('售后处理中');
    expect(agreementStatusText('已生效', { status: 'confirmed', completed: true, openCase: false })).toBe('已完成');
    expect(agreementStatusText('已生效', { status: 'confirmed', completed: false, openCase: false })).toBe('已生效');
    expect(agreementStatusText('已终止', { status: 'terminated', completed: false, openCase: true })).toBe('已终止');
  });
});

describe('platform terms by version', () => {
  it('an agreement keeps the wording it was confirmed under; the current version says 放款 for paying the provider', () => {
    expect(TERMS_VERSION).toBe('2026-12');
    expect(termsOf('2026-11')[2]).toContain('付款方式由平台支付至乙方钱包');
    expect(termsOf(TERMS_VERSION)[2]).toContain('放款方式');
    expect(termsOf(TERMS_VERSION).join('')).not.toContain('付款方式');
    expect(termsOf('1999-01')).toBe(PLATFORM_TERMS);
  });
});
