import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import ExcelJS from 'exceljs';
import {
  addresses,
  auditLog,
  bankCards,
  ledgerTransfers,
  memberships,
  organisations,
  products,
  rechargeOrders,
  requirements,
  serviceItems,
  siteMessages,
  providerCases,
  withdrawals,
  individualProfiles,
  mallOrderEvents,
  mallOrders,
  mallPayments,
  invitations,
  agreements,
  afterSalesCases,
  milestones,
  voucherCampaigns,
  voucherIssuances,
  voucherMerchants,
  voucherPaymentCodes,
  voucherRedemptions,
  voucherSettlements,
  voucherTiers,
  vouchers,
  consultations,
  consultationMessages,
} from '../../db/schema';
import { address, GATEWAY_SECRET, government, individual, merchant, product, signedNotice, unitBuyer } from '../../core/testing/mall-factories';
import { awardedRequirement, buildRequirement, fund } from '../../core/testing/tenders-factories';
import { ManualClock } from '../../core/testing/test-platform';
import { enrolment, fundedCampaign, grant } from '../../core/testing/vouchers-factories';
import { bankCard, rechargeOrder, siteMessage } from '../../core/testing/wallet-factories';
import { buildUscc } from '../../core/testing/factories';
import { buildDocument } from './openapi-document';
import { createApiHarness, type ApiHarness } from './test-helpers';

/**
 * One refusal check per operation that requires a session, generated from the published document:
 * - anonymous (and a made-up token) → 401;
 * - the wrong role → 403: anyone but an operator on /admin/*, and a plain `member` of the
 *   organisation where the access module asks for owner/admin/finance (`member: true` below);
 * - another organisation's resource (the path's ids filled from `fixture`) → 403 or 404 with a message
 *   in Chinese, asked by an organisation of the kind the route serves (a provider for storefront items)
 *   with a valid body where one is given, so the refusal is the ownership check, not the role or the input.
 * Nothing may change on refusal: the rows of the tables a refusal could touch are counted before and after.
 *
 * A new operation fails this test until it has an entry in REFUSALS, so a new context cannot forget it.
 */

type Fixture =
  | 'requirement'
  | 'address'
  | 'product'
  | 'card'
  | 'recharge'
  | 'message'
  | 'storefrontItem'
  | 'storefrontCase'
  | 'organisationMember'
  | 'unitEmployee'
  | 'order'
  | 'merchantOrder'
  | 'payment'
  | 'invitation'
  | 'sentInvitation'
  | 'agreement'
  | 'milestone'
  | 'afterSalesCase'
  | 'voucherCampaign'
  | 'voucherIssuance'
  | 'voucherMerchant'
  | 'voucherPaymentCode'
  | 'voucherCode'
  | 'voucherRedemption'
  | 'merchantRedemption'
  | 'consultation';

interface Refusal {
  /**
   * `own`: the operation acts only on the caller's own data (no id in the path names another's);
   * a fixture: the path's id is that resource of another organisation;
   * `pending`: another organisation's resource is not built here yet (the reason says what is missing).
   */
  scope: 'own' | Fixture | { pending: string };
  /** A plain member of the organisation is refused (403): the access module asks for owner/admin/finance. */
  member?: true;
  /**
   * The body is validated before the caller's rights are checked, so the probe's body (not a valid
   * one) is refused with 400 before reaching them: refused and nothing changes, but the rights check
   * itself is not reached here (its own route test covers it).
   */
  bodyFirst?: true;
  /** A valid body for the other organisation's call, so its rights check is reached past the input check. */
  body?: Record<string, unknown> | (() => Record<string, unknown>);
  /** The body is a file upload: checked by its own test with a valid file, skipped by the JSON probe. */
  multipart?: true;
}

const own: Refusal = { scope: 'own' };
const ownMoney: Refusal = { scope: 'own', member: true };
const ownMoneyBodyFirst: Refusal = { scope: 'own', member: true, bodyFirst: true };
const ownAdmin: Refusal = { scope: 'own', member: true };
const requirement: Refusal = { scope: 'requirement' };
const requirementBodyFirst: Refusal = { scope: 'requirement', bodyFirst: true };
const addressOf: Refusal = { scope: 'address' };
const productOf: Refusal = { scope: 'product' };
const cardOf: Refusal = { scope: 'card' };
const cardOfBodyFirst: Refusal = { scope: 'card', bodyFirst: true };
const voucherCampaign: Refusal = { scope: 'voucherCampaign' };
const voucherIssuance: Refusal = { scope: 'voucherIssuance' };
/** The digits of another resident's live payment code (set in the fixture set-up). */
let voucherCodeDigits = '';
/** Beijing wall-clock time `days` from the test clock's now, as the campaign forms take it (YYYY-MM-DDTHH:mm). */
const shanghaiLocal = (days: number) => new Date(h.platform.clock.now().getTime() + 8 * 3600_000 + days * 86_400_000).toISOString().slice(0, 16);
/** A valid issuance for the fixture campaign (within its budget and validity). */
const ISSUANCE = () => ({
  startsAt: shanghaiLocal(1),
  rows: [{ categoryCode: 'general', tierNo: 1, thresholdFen: 10_000, discountFen: 3_000, count: 10 }],
});
const pending = (why: string): Refusal => ({ scope: { pending: why } });
const STOREFRONT_ITEM = {
  title: '小规模纳税人代理记账',
  categoryCode: 'finance.01',
  priceMinFen: 30_000,
  priceMaxFen: 30_000,
  priceUnit: '月',
  description: '每月记账、报税，季度财务报表。',
};
/** Another organisation's agreement (a draft between two others), with a valid body where the route takes one. */
const agreementOf = (body?: Record<string, unknown>): Refusal => ({ scope: 'agreement', body });
/** Two milestones, ¥10,000 + ¥20,000, over December 2026 – March 2027. */
const AGREEMENT_DRAFT = {
  scope: '全年代理记账、月度纳税申报与年度汇算清缴，按月提交报表。',
  totalFen: 3_000_000,
  startDate: '2026-12-01',
  endDate: '2027-03-31',
  releaseMode: 'per_milestone',
  milestones: [
    { title: '建账与首月申报', deliverables: '账套、首月申报表', amountFen: 1_000_000, dueDate: '2026-12-31' },
    { title: '汇算清缴', deliverables: '年度汇算清缴报告', amountFen: 2_000_000, dueDate: '2027-03-31' },
  ],
};
const buyerOrder = (body?: Record<string, unknown>): Refusal => ({ scope: 'order', body });
const merchantOrder = (body: Record<string, unknown>): Refusal => ({ scope: 'merchantOrder', body });

/** Every operation that requires a session, by operationId. Operator routes (/admin/*) need no entry. */
const REFUSALS: Record<string, Refusal> = {
  // Vouchers: another bureau's funded campaign with a running issuance, a pending merchant of it, a resident's
  // unused payment code and paid redemption; asked for by another bureau, another resident or another merchant.
  // Enrolment is in a public campaign with the caller's own shop, photo and card: the probe body is refused first.
  createVouchersCampaignMerchant: { scope: 'voucherCampaign', bodyFirst: true },
  getVouchersCampaignMerchantsReview: voucherCampaign,
  getVouchersCampaignMerchantsTemplate: voucherCampaign,
  // A multipart upload: its own check below sends a valid sheet.
  importVouchersCampaignMerchants: { scope: 'voucherCampaign', multipart: true },
  approveVouchersMerchant: { scope: 'voucherMerchant' },
  rejectVouchersMerchant: { scope: 'voucherMerchant', body: { reason: '营业执照不清晰' } },
  // Someone else's storefront photo: refused before the file is looked at.
  updateVouchersMerchantPhoto: { scope: 'voucherMerchant', body: { photoFileId: '6f1c2b9e-3d4a-4f5b-8c6d-7e8f9a0b1c2d' } },
  getVouchersMerchantsMine: own,
  // A grab is for a public tier and creates the caller's own coupon; 我的票券 lists the caller's own.
  createVouchersGrab: own,
  getVouchersMine: own,
  createVouchersPaymentCode: own,
  getVouchersPaymentCode: { scope: 'voucherPaymentCode' },
  // Another resident's live code, scanned by a merchant not approved in the campaign.
  quoteVouchersRedemptions: { scope: 'voucherCode', body: () => ({ code: voucherCodeDigits, billFen: 12_000 }) },
  createVouchersRedemption: { scope: 'voucherCode', body: () => ({ code: voucherCodeDigits, billFen: 12_000 }) },
  listVouchersRedemptions: own,
  getVouchersRedemption: { scope: 'voucherRedemption' },
  payVouchersRedemption: { scope: 'voucherRedemption' },
  cancelVouchersRedemption: { scope: 'voucherRedemption' },
  refundVouchersRedemption: { scope: 'merchantRedemption', body: { reason: '顾客退货' } },
  getVouchersMerchantStatement: own,
  getVouchersCampaignSettlement: voucherCampaign,
  getVouchersCampaignSettlementExport: voucherCampaign,
  settlementVouchersCampaign: voucherCampaign,
  listVouchersCampaigns: ownMoney,
  createVouchersCampaign: ownMoneyBodyFirst,
  getVouchersCampaign: voucherCampaign,
  updateVouchersCampaign: {
    scope: 'voucherCampaign',
    body: () => ({ name: '别人的活动改名', documentNo: '綦商务发〔2023〕81号', budgetFen: 2_000_000, validUntil: shanghaiLocal(5) }),
  },
  createVouchersCampaignIssuance: { scope: 'voucherCampaign', body: () => ISSUANCE() },
  fundVouchersCampaign: voucherCampaign,
  getVouchersCampaignConsole: voucherCampaign,
  getVouchersCampaignIdentity: voucherCampaign,
  getVouchersCampaignExport: voucherCampaign,
  updateVouchersIssuance: { scope: 'voucherIssuance', body: () => ISSUANCE() },
  deleteVouchersIssuance: voucherIssuance,
  pauseVouchersIssuance: voucherIssuance,
  resumeVouchersIssuance: voucherIssuance,
  stopVouchersIssuance: voucherIssuance,
  // 统计报表: the caller's own budget unit or department and its subtree (owner/admin; a unit outside it is
  // NOT_FOUND, covered by quotas-statistics.routes.test.ts); an enterprise or a plain member is refused first.
  getQuotasStatisticsUnit: ownAdmin,
  getQuotasStatisticsSubtree: ownAdmin,
  listQuotasStatisticsOrders: ownAdmin,
  getQuotasStatisticsExport: ownAdmin,
  // Imports: templates for anyone signed in; batches belong to an import kind a context registers (quotas), and
  // the engine's route test (imports.routes.test.ts) refuses another organisation with its own test kind.
  getImportTemplate: own,
  uploadImport: { scope: 'own', multipart: true },
  listImports: pending('an import kind registered by a context (imports.routes.test.ts covers it)'),
  getImport: pending('an import batch of a registered kind (imports.routes.test.ts covers it)'),
  listImportRows: pending('an import batch of a registered kind (imports.routes.test.ts covers it)'),
  getImportErrorWorkbook: pending('an import batch of a registered kind (imports.routes.test.ts covers it)'),
  confirmImport: pending('an import batch of a registered kind (imports.routes.test.ts covers it)'),
  discardImport: pending('an import batch of a registered kind (imports.routes.test.ts covers it)'),
  // Quotas: every operation acts for the caller's own budget unit (its subtree one closure-table lookup away); an
  // enterprise (owner or member) is refused as not a budget unit. Units of another tree: core/quotas int tests.
  getMyQuotaUnit: own,
  confirmMyQuotaUnit: { scope: 'own', member: true, bodyFirst: true },
  listQuotaUnits: ownAdmin,
  exportQuotaUnits: ownAdmin,
  createQuotaUnit: { scope: 'own', member: true, bodyFirst: true },
  generateQuotaUnitAccounts: ownAdmin,
  getQuotaAccountRun: ownAdmin,
  getQuotaUnit: ownAdmin,
  updateQuotaUnit: { scope: 'own', member: true, bodyFirst: true },
  updateQuotaUnitFigures: { scope: 'own', member: true, bodyFirst: true },
  resendQuotaUnitActivation: ownAdmin,
  resetQuotaUnitPassword: ownAdmin,
  listQuotaPurchasers: ownAdmin,
  generateQuotaPurchaserAccounts: ownAdmin,
  resendQuotaPurchaserActivation: ownAdmin,
  getMe: own,
  changePassword: own,
  updateProfile: own,
  switchOrganisation: own,
  listMessages: own,
  getUnreadMessageCount: own,
  readMessage: { scope: 'message' },
  readAllMessages: own,
  listOrganisationAudit: ownAdmin,
  exportOrganisationAudit: ownAdmin,
  listWalletCards: ownMoney,
  createWalletCard: ownMoneyBodyFirst,
  verifyWalletCard: cardOfBodyFirst,
  deleteWalletCard: cardOf,
  setSecurityPassword: ownMoneyBodyFirst,
  createWalletWithdrawal: ownMoneyBodyFirst,
  listWalletWithdrawals: ownMoney,
  listWalletStatement: ownMoney,
  exportWalletStatement: ownMoney,
  getWalletBalances: ownMoney,
  createOnlineRecharge: ownMoneyBodyFirst,
  submitOfflineRecharge: ownMoneyBodyFirst,
  listWalletRecharges: ownMoney,
  getWalletRecharge: { scope: 'recharge' },
  uploadFile: own,
  createInvitation: own,
  listMyInvitations: own,
  respondToInvitation: { scope: 'invitation', body: { decision: 'accept' } },
  dropInvitation: { scope: 'sentInvitation' },
  listInvitableRequirements: own,
  listRequirementInvitations: requirement,
  listNegotiationMessages: requirement,
  // 咨询: organisation A's conversation with a provider; another enterprise asks for it.
  openConsultation: own,
  listConsultations: own,
  listConsultationMessages: { scope: 'consultation' },
  sendConsultationMessage: { scope: 'consultation', body: { body: '你好' } },
  inviteFromConsultation: { scope: 'consultation', body: { requirementId: randomUUID() } },
  sendNegotiationMessage: requirementBodyFirst,
  createRequirement: own,
  listMyRequirements: own,
  listMyProposals: own,
  updateRequirement: requirementBodyFirst,
  deleteRequirement: requirement,
  submitRequirement: requirement,
  withdrawRequirement: requirement,
  abandonRequirement: requirement,
  retenderRequirement: requirementBodyFirst,
  endRequirement: requirement,
  deletePublishedRequirement: requirement,
  selectProvider: requirementBodyFirst,
  listRequirementEvents: requirement,
  submitProposal: requirementBodyFirst,
  listRequirementProposals: requirement,
  getMyProposal: requirement,
  updateMyProposal: requirementBodyFirst,
  withdrawMyProposal: requirement,
  getRoomSnapshot: requirement,
  listRoomEvents: requirement,
  verifyRoomLog: requirement,
  getRoomReceipt: requirement,
  startSecondRound: requirement,
  submitRevisedOffer: requirementBodyFirst,
  updateRoomRules: requirementBodyFirst,
  getCart: own,
  addCartItem: own,
  updateCartItem: own,
  deleteCartItem: own,
  checkout: own,
  listOrders: own,
  getOrder: buyerOrder(),
  cancelOrder: buyerOrder({ reason: '不需要了' }),
  confirmOrderReceipt: buyerOrder(),
  requestOrderRefund: buyerOrder({ reason: '商品有破损' }),
  payOrders: own,
  getPayment: { scope: 'payment' },
  submitTransferReceipt: { scope: 'payment', body: { receiptFileId: randomUUID(), payerAccountName: '重庆某某有限公司' } },
  listMerchantOrders: own,
  repriceMerchantOrder: merchantOrder({ changes: [{ lineId: randomUUID(), priceFen: 100 }], reason: '协商后改价' }),
  shipMerchantOrder: merchantOrder({ carrier: '中通快递', trackingNo: 'ZT7788990011' }),
  decideOrderRefund: merchantOrder({ decision: 'approve' }),
  listUnitReimbursements: own,
  getUnitStatistics: own,
  getRegionStatistics: own,
  exportUnitStatistics: own,
  exportRegionStatistics: own,
  getMyMallProfile: own,
  updateMyMallProfile: own,
  getMyUnit: own,
  listMerchantProducts: own,
  createMerchantProduct: own,
  updateMerchantProduct: { scope: 'product', bodyFirst: true },
  publishMerchantProduct: productOf,
  unpublishMerchantProduct: productOf,
  listAddresses: own,
  createAddress: own,
  getAddress: addressOf,
  updateAddress: { scope: 'address', bodyFirst: true },
  deleteAddress: addressOf,
  setDefaultAddress: addressOf,
  listUnitEmployees: own,
  decideUnitEmployee: { scope: 'unitEmployee', body: { decision: 'approve' } },
  listOrganisationMembers: ownAdmin,
  updateOrganisationMemberRole: { scope: 'organisationMember', body: { role: 'admin' } },
  getAgreementBasis: requirement,
  draftAgreement: requirementBodyFirst,
  listAgreements: own,
  listRequirementsAwaitingAgreement: own,
  getAgreement: agreementOf(),
  sendAgreement: agreementOf(),
  returnAgreement: agreementOf({ comment: '请补充验收标准' }),
  confirmAgreement: agreementOf(),
  getAgreementPdf: agreementOf(),
  fundEscrow: agreementOf(),
  deliverMilestone: { scope: 'milestone', body: { note: '首月报表已交付' } },
  acceptMilestone: { scope: 'milestone' },
  returnMilestone: { scope: 'milestone', body: { reason: '报表有误' } },
  openAfterSalesCase: agreementOf({ reason: '交付的报表有误，请更正' }),
  getAfterSalesCase: { scope: 'afterSalesCase' },
  addAfterSalesMessage: { scope: 'afterSalesCase', body: { body: '请尽快处理' } },
  escalateAfterSalesCase: { scope: 'afterSalesCase', body: {} },
  withdrawAfterSalesCase: { scope: 'afterSalesCase', body: {} },
  proposeTermination: agreementOf({ refundFen: 0, payFen: 0, reason: '双方协商终止合作' }),
  answerTermination: agreementOf({ decision: 'accept' }),
  reviewCounterparty: agreementOf({ quality: 5, timeliness: 5, communication: 5 }),
  replyReview: pending('a review written on a finished agreement'),
  getMyStorefront: own,
  updateMyStorefront: own,
  listMyStorefrontItems: own,
  createStorefrontItem: own,
  updateStorefrontItem: { scope: 'storefrontItem', body: STOREFRONT_ITEM },
  deleteStorefrontItem: { scope: 'storefrontItem' },
  listMyStorefrontCases: own,
  createStorefrontCase: own,
  deleteStorefrontCase: { scope: 'storefrontCase' },
  // 汇总 (monitoring roll-up): the caller's own scope only (all approved records for the province, its own records
  // for a city department, its own and its sub-accounts' for a market or chain); anyone without a monitoring account
  // is MONITORING_NOT_A_MEMBER, other monitoring accounts MONITORING_ROLE_REQUIRED, a city never sees another
  // city's sums (core/monitoring/rollup.service.int.test.ts).
  getMonitoringRollup: own,
  listMonitoringRollupRecords: own,
  getMonitoringRollupExport: own,
  // 账号管理 (monitoring accounts): the caller's own unit only — a department lists and opens within itself and its
  // city, a market or chain its own sub-accounts; no id in the path names another's. Other cities, other markets,
  // auditors and non-members are refused in core/monitoring/accounts.service.int.test.ts and the route test.
  getMonitoringMe: own,
  listMonitoringAccounts: own,
  createMonitoringAccount: own,
  createMonitoringCity: own,
  registerExistingMonitoringEnterprise: own,
  // 参考数据 (monitoring periods and counties): one list for the whole province, kept by the province administrator;
  // anyone else (a city administrator, a reporter, a non-member) is refused before anything is read
  // (core/monitoring/reference.service.int.test.ts, realtime/api/monitoring-reference.routes.test.ts).
  listMonitoringPeriods: { scope: 'own', member: true },
  listMonitoringCountiesForSettings: { scope: 'own', member: true, bodyFirst: true },
  createMonitoringPeriod: { scope: 'own', member: true, bodyFirst: true },
  updateMonitoringPeriod: { scope: 'own', member: true, bodyFirst: true },
  addMonitoringCounty: { scope: 'own', member: true, bodyFirst: true },
  updateMonitoringCounty: { scope: 'own', member: true, bodyFirst: true },
  // 商城订单生成购销记录: the caller's own organisation's completed orders only; another organisation's order is
  // answered 不是本单位已完成的商城订单 and nothing is written (core/monitoring/records.mall.int.test.ts).
  listMonitoringMallOrders: { scope: 'own', member: true },
  createMonitoringRecordsFromMall: { scope: 'own', member: true, bodyFirst: true },
  // 购销记录: lists, counts, export and new records act in the caller's own scope (no monitoring account:
  // MONITORING_NOT_A_MEMBER before the body is read). A record of another market, city or wholesaler is NOT_FOUND
  // (core/monitoring/records.access.int.test.ts, with every level and every operation on an unseen record).
  listMonitoringRecords: own,
  exportMonitoringRecords: own,
  getMonitoringRecordCounts: own,
  createMonitoringRecord: own,
  bulkApproveMonitoringRecords: own,
  getMonitoringRecord: pending('a monitoring record of another unit (records.access.int.test.ts covers it)'),
  updateMonitoringRecord: pending('a monitoring record of another unit (records.access.int.test.ts covers it)'),
  deleteMonitoringRecord: pending('a monitoring record of another unit (records.access.int.test.ts covers it)'),
  submitMonitoringRecord: pending('a monitoring record of another unit (records.access.int.test.ts covers it)'),
  decideMonitoringRecord: pending('a monitoring record of another unit (records.access.int.test.ts covers it)'),
};

interface Operation {
  method: string;
  path: string;
  operationId: string;
  json: boolean;
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

function sessionOperations(doc: ReturnType<typeof buildDocument>): Operation[] {
  return Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const op = (item as Record<string, any>)[method];
      const security: Record<string, unknown>[] = op?.security ?? [];
      if (!op || security.length === 0 || security.some((r) => Object.keys(r).length === 0)) return [];
      return [{ method: method.toUpperCase(), path, operationId: op.operationId as string, json: Boolean(op.requestBody?.content?.['application/json']) }];
    }),
  );
}

const isOperatorPath = (path: string) => path.startsWith('/api/v1/admin/');

let h: ApiHarness;
let operations: Operation[];
/** Organisation A's owner, a plain member of A, and the owner of another organisation B. */
let owner: { token: string; organisationId: string };
let member: string;
let stranger: string;
/** Owners of other organisations of the kind some routes serve (another provider, unit, merchant), and another buyer. */
let strangerProvider: string;
let strangerUnit: string;
let strangerMerchant: string;
let strangerBuyer: string;
/** Owner of another bureau, acting for it. */
let strangerBureau: string;
const ids: Record<Fixture, string> = {
  requirement: '',
  address: '',
  product: '',
  card: '',
  recharge: '',
  message: '',
  storefrontItem: '',
  storefrontCase: '',
  organisationMember: '',
  unitEmployee: '',
  order: '',
  merchantOrder: '',
  payment: '',
  invitation: '',
  sentInvitation: '',
  agreement: '',
  milestone: '',
  afterSalesCase: '',
  voucherCampaign: '',
  voucherIssuance: '',
  voucherMerchant: '',
  voucherPaymentCode: '',
  voucherCode: '',
  voucherRedemption: '',
  merchantRedemption: '',
  consultation: '',
};
/** Who asks for another organisation's resource: the enterprise owner B unless the route serves another kind. */
function askedBy(fixture: Fixture) {
  if (fixture === 'storefrontItem' || fixture === 'storefrontCase' || fixture === 'invitation') return strangerProvider;
  if (fixture === 'unitEmployee') return strangerUnit;
  if (fixture === 'merchantOrder') return strangerMerchant;
  if (fixture === 'order' || fixture === 'payment') return strangerBuyer;
  if (fixture === 'voucherCampaign' || fixture === 'voucherIssuance' || fixture === 'voucherMerchant') return strangerBureau;
  if (fixture === 'voucherPaymentCode' || fixture === 'voucherRedemption') return strangerBuyer;
  if (fixture === 'voucherCode' || fixture === 'merchantRedemption') return strangerMerchant;
  return stranger;
}

/** Signs `token` in as acting for `organisationId` (a membership added after registration). */
async function actFor(token: string, organisationId: string) {
  const switched = await h.json('POST', '/api/v1/auth/active-organisation', { organisationId }, { token });
  expect(switched.status, switched.text).toBe(200);
}

beforeAll(async () => {
  h = await createApiHarness({ clock: new ManualClock(new Date('2026-11-23T02:00:00Z')) });
  operations = sessionOperations(buildDocument(h.app));

  // First, as it moves the clock to the opening time (sessions made before would idle out): an agreement
  // between an enterprise and a provider that are neither A nor B, confirmed, its escrow paid, with an
  // after-sales case open on it.
  const ops = await h.operator();
  const opsActor = (await h.platform.services.accounts.validateSessionToken(ops.token))!.actor;
  const awarded = await awardedRequirement(h.platform, opsActor, { paymentMode: 'full_escrow', enterpriseFundsFen: 3_000_000 });
  const [providerToken, enterpriseToken] = [await h.loginAs(awarded.pr.input), await h.loginAs(awarded.e.input)];
  const drafted = await h.json('PUT', `/api/v1/requirements/${awarded.r.id}/agreement`, AGREEMENT_DRAFT, { token: providerToken });
  expect(drafted.status, drafted.text).toBe(200);
  ids.agreement = drafted.json.id;
  expect((await h.json('POST', `/api/v1/agreements/${ids.agreement}/send`, undefined, { token: providerToken })).status).toBe(200);
  expect((await h.json('POST', `/api/v1/agreements/${ids.agreement}/confirm`, undefined, { token: enterpriseToken })).status).toBe(200);
  const funded = await h.json('POST', `/api/v1/agreements/${ids.agreement}/escrow`, undefined, { token: enterpriseToken });
  expect(funded.status, funded.text).toBe(200);
  ids.milestone = funded.json.agreement.milestones[0].id;
  const opened = await h.json(
    'POST',
    `/api/v1/agreements/${ids.agreement}/after-sales-cases`,
    { reason: '首月报表错误较多，要求整改' },
    { token: enterpriseToken },
  );
  expect(opened.status, opened.text).toBe(201);
  ids.afterSalesCase = opened.json.id;

  const a = await h.user({ accountType: 'enterprise' });
  owner = { token: a.token, organisationId: a.actor.organisation!.organisationId };
  stranger = (await h.user({ accountType: 'enterprise' })).token;
  const m = await h.user({ accountType: 'enterprise' });
  await h.platform.db.insert(memberships).values({ userId: m.actor.userId, organisationId: owner.organisationId, role: 'member' });
  await actFor(m.token, owner.organisationId);
  member = m.token;
  ids.organisationMember = m.actor.userId;

  const created = await h.json('POST', '/api/v1/requirements', buildRequirement(h.platform.clock.now()), { token: owner.token });
  expect(created.status, created.text).toBe(201);
  ids.requirement = created.json.id;
  ids.address = (await address(h.platform, a.actor.userId)).id;
  const shop = await merchant(h.platform);
  ids.product = (await product(h.platform, shop.org.id)).id;
  ids.card = (await bankCard(h.platform, owner.organisationId, a.actor.userId)).id;
  ids.recharge = (await rechargeOrder(h.platform, owner.organisationId, a.actor.userId)).orderNo;
  ids.message = (await siteMessage(h.platform, a.actor.userId)).id;

  // A provider's service item and case; another provider asks for them.
  const provider = await h.user({ accountType: 'provider' });
  const item = await h.json('POST', '/api/v1/storefronts/me/items', STOREFRONT_ITEM, { token: provider.token });
  expect(item.status, item.text).toBe(201);
  ids.storefrontItem = item.json.id;
  const storefrontCase = await h.json('POST', '/api/v1/storefronts/me/cases', { title: '某制造企业账务整改', year: 2025 }, { token: provider.token });
  expect(storefrontCase.status, storefrontCase.text).toBe(201);
  ids.storefrontCase = storefrontCase.json.id;
  strangerProvider = (await h.user({ accountType: 'provider' })).token;
  const consulted = await h.json('POST', '/api/v1/consultations', { providerId: provider.actor.organisation!.organisationId }, { token: owner.token });
  expect(consulted.status, consulted.text).toBe(200);
  ids.consultation = consulted.json.id;

  // Organisation A's open invitation project, with that provider invited: another provider may not
  // answer the invitation, another enterprise may not drop it.
  await fund(h.platform, a.actor, 20_000);
  const invitational = await h.json('POST', '/api/v1/requirements', buildRequirement(h.platform.clock.now(), { mode: 'invitation', openingAt: null }), {
    token: owner.token,
  });
  expect(invitational.status, invitational.text).toBe(201);
  expect((await h.json('POST', `/api/v1/requirements/${invitational.json.id}/submit`, undefined, { token: owner.token })).status).toBe(200);
  const approved = await h.json(
    'POST',
    `/api/v1/admin/requirements/${invitational.json.id}/review`,
    { decision: 'approve' },
    { token: await h.operatorToken() },
  );
  expect(approved.status, approved.text).toBe(200);
  const invitation = await h.json(
    'POST',
    '/api/v1/invitations',
    { requirementId: invitational.json.id, providerId: provider.actor.organisation!.organisationId },
    { token: owner.token },
  );
  expect(invitation.status, invitation.text).toBe(201);
  ids.invitation = ids.sentInvitation = invitation.json.id;

  // A unit's pending employee; another unit's owner, acting for that unit, asks to decide on them.
  const unit = await unitBuyer(h.platform);
  ids.unitEmployee = (await individual(h.platform, unit.org.id)).actor.userId;
  const otherUnit = await unitBuyer(h.platform);
  await actFor(otherUnit.token, otherUnit.org.id);
  strangerUnit = otherUnit.token;

  // A buyer's unpaid order with a payment started; another buyer and another merchant ask for them.
  const buyer = await individual(h.platform, null);
  const delivery = await address(h.platform, buyer.actor.userId);
  const added = await h.json('POST', '/api/v1/cart/items', { productId: ids.product, quantity: 1 }, { token: buyer.token });
  expect(added.status, added.text).toBe(200);
  const placed = await h.json('POST', '/api/v1/orders', { addressId: delivery.id }, { token: buyer.token });
  expect(placed.status, placed.text).toBe(201);
  ids.order = ids.merchantOrder = placed.json.orders[0].id;
  const paying = await h.json('POST', '/api/v1/payments', { orderIds: [ids.order], method: 'personal_online' }, { token: buyer.token });
  expect(paying.status, paying.text).toBe(201);
  ids.payment = paying.json.payment.paymentNo;
  strangerBuyer = (await individual(h.platform, null)).token;
  const otherShop = await merchant(h.platform);
  await actFor(otherShop.token, otherShop.org.id);
  strangerMerchant = otherShop.token;
  // Vouchers: a bureau's funded campaign with a running issuance; an approved merchant of it and a pending one;
  // a resident's paid redemption, and another resident's live payment code.
  const vc = await voucherFixtures();
  ids.voucherCampaign = vc.campaignId;
  ids.voucherIssuance = vc.issuanceId;
  ids.voucherMerchant = vc.pendingMerchantId;
  ids.voucherRedemption = ids.merchantRedemption = vc.redemptionId;
  ids.voucherPaymentCode = vc.codeId;
  voucherCodeDigits = vc.codeDigits;
  const otherBureau = await government(h.platform, `万盛经开区商务局${randomUUID().slice(0, 4)}`, '500110');
  await actFor(otherBureau.token, otherBureau.org.id);
  strangerBureau = otherBureau.token;
  // The fixtures are real: their owner reaches them, so the stranger's 404 is a refusal, not a miss.
  expect((await h.call('GET', `/api/v1/wallet/recharges/${ids.recharge}`, { token: owner.token })).status).toBe(200);
  expect((await h.call('GET', '/api/v1/wallet/cards', { token: owner.token })).json.map((c: { id: string }) => c.id)).toContain(ids.card);
}, 120_000);

afterAll(() => h?.close());

/** Another bureau's voucher campaign and what hangs off it, made through the API where a call makes it. */
async function voucherFixtures() {
  const p = h.platform;
  const c = await fundedCampaign(p, { validDays: 3 });
  await actFor(c.bureau.token, c.bureau.org.id);
  const enrol = async (name: string) => {
    const shop = await merchant(p, name, '500110');
    await actFor(shop.token, shop.org.id);
    const res = await h.json('POST', `/api/v1/vouchers/campaigns/${c.campaign.id}/merchants`, await enrolment(p, shop.actor), { token: shop.token });
    expect(res.status, res.text).toBe(201);
    return { token: shop.token, id: res.json.id as string };
  };
  const approved = await enrol('綦江区古南街道老灶火锅店');
  const ok = await h.json('POST', `/api/v1/vouchers/merchants/${approved.id}/approve`, undefined, { token: c.bureau.token });
  expect(ok.status, ok.text).toBe(200);
  const pendingShop = await enrol('綦江区文龙街道小面馆');

  const payer = await individual(p, null);
  await grant(p, c, payer.actor.userId, 2);
  const code = await h.json('POST', '/api/v1/vouchers/payment-codes', undefined, { token: payer.token });
  expect(code.status, code.text).toBe(201);
  const created = await h.json('POST', '/api/v1/vouchers/redemptions', { code: code.json.digits, billFen: 12_000 }, { token: approved.token });
  expect(created.status, created.text).toBe(201);
  const pay = await h.json('POST', `/api/v1/vouchers/redemptions/${created.json.id}/pay`, undefined, { token: payer.token });
  expect(pay.status, pay.text).toBe(200);
  const n = signedNotice(GATEWAY_SECRET, { orderNo: created.json.redemptionNo, amountFen: 9_000 });
  const notified = await h.call('POST', '/api/v1/payments/notify', { headers: n.headers, body: JSON.parse(n.raw) });
  expect(notified.status, notified.text).toBe(200);

  const holder = await individual(p, null);
  await grant(p, c, holder.actor.userId, 2);
  const live = await h.json('POST', '/api/v1/vouchers/payment-codes', undefined, { token: holder.token });
  expect(live.status, live.text).toBe(201);
  // The fixtures are real: their owners reach them, so a stranger's 404 is a refusal, not a miss.
  expect((await h.call('GET', `/api/v1/vouchers/campaigns/${c.campaign.id}`, { token: c.bureau.token })).status).toBe(200);
  expect((await h.call('GET', `/api/v1/vouchers/redemptions/${created.json.id}`, { token: payer.token })).status).toBe(200);
  expect((await h.call('GET', `/api/v1/vouchers/payment-codes/${live.json.id}`, { token: holder.token })).status).toBe(200);
  return {
    campaignId: c.campaign.id,
    issuanceId: c.issuance.id,
    pendingMerchantId: pendingShop.id,
    redemptionId: created.json.id as string,
    codeId: live.json.id as string,
    codeDigits: live.json.digits as string,
  };
}

/** The other bureau's campaign, issuance, merchant and redemption, as they are. */
async function voucherState() {
  const db = h.platform.db;
  return {
    campaign: (await db.select().from(voucherCampaigns).where(eq(voucherCampaigns.id, ids.voucherCampaign)))[0],
    issuance: (await db.select().from(voucherIssuances).where(eq(voucherIssuances.id, ids.voucherIssuance)))[0],
    merchant: (await db.select().from(voucherMerchants).where(eq(voucherMerchants.id, ids.voucherMerchant)))[0],
    redemption: (await db.select().from(voucherRedemptions).where(eq(voucherRedemptions.id, ids.voucherRedemption)))[0],
    code: (await db.select().from(voucherPaymentCodes).where(eq(voucherPaymentCodes.id, ids.voucherPaymentCode)))[0],
  };
}

/** The path with its ids: the fixture's id for `{id}` (or a recharge's `{orderNo}`, a person's `{userId}`), a fresh uuid for any other parameter. */
function concrete(op: Operation, fixture?: Fixture) {
  return op.path.replace(/\{([^}]+)\}/g, (_, name: string) =>
    fixture && ['id', 'orderNo', 'userId', 'paymentNo'].includes(name) ? ids[fixture] : randomUUID(),
  );
}

/**
 * Unsafe calls carry a body that is not empty (an empty PATCH is refused as "nothing to change"
 * before anything else) and not valid for any route.
 */
const call = (op: Operation, token: string | undefined, fixture?: Fixture, body?: Record<string, unknown>) =>
  h.call(op.method, concrete(op, fixture), {
    token,
    body: body ?? (op.json || ['POST', 'PUT', 'PATCH'].includes(op.method) ? { refusalProbe: true } : undefined),
  });

/** The other organisations' agreement, its milestones and after-sales case, as they are. */
async function escrowState() {
  const db = h.platform.db;
  return {
    agreement: (await db.select().from(agreements).where(eq(agreements.id, ids.agreement)))[0],
    milestones: await db.select().from(milestones).where(eq(milestones.agreementId, ids.agreement)),
    afterSalesCase: (await db.select().from(afterSalesCases).where(eq(afterSalesCases.id, ids.afterSalesCase)))[0],
  };
}

/** Rows of the tables a refused call could have written to. */
async function counts() {
  const db = h.platform.db;
  const tables: Record<string, PgTable> = {
    requirements,
    addresses,
    products,
    bankCards,
    rechargeOrders,
    siteMessages,
    serviceItems,
    providerCases,
    individualProfiles,
    mallOrders,
    mallOrderEvents,
    mallPayments,
    invitations,
    agreements,
    afterSalesCases,
    withdrawals,
    ledgerTransfers,
    memberships,
    organisations,
    auditLog,
    voucherCampaigns,
    voucherIssuances,
    voucherTiers,
    vouchers,
    voucherMerchants,
    voucherPaymentCodes,
    voucherRedemptions,
    voucherSettlements,
    consultations,
    consultationMessages,
  };
  const out: Record<string, number> = {};
  for (const [name, table] of Object.entries(tables)) out[name] = (await db.select({ n: count() }).from(table))[0]!.n;
  return out;
}

describe('refusals, generated from the API document', () => {
  it('every operation that requires a session has an entry (operator routes are covered by their path)', () => {
    const missing = operations.filter((op) => !isOperatorPath(op.path) && !REFUSALS[op.operationId]).map((op) => `${op.operationId} (${op.method} ${op.path})`);
    expect(missing, 'add these to REFUSALS in realtime/api/refusals.test.ts').toEqual([]);
    const stale = Object.keys(REFUSALS).filter((id) => !operations.some((op) => op.operationId === id));
    expect(stale, 'entries for operations the document no longer has').toEqual([]);
  });

  it('anonymous callers and made-up tokens get 401, the wrong role 403, another organisation 403/404; nothing changes', async () => {
    const before = await counts();
    const escrowBefore = await escrowState();
    const vouchersBefore = await voucherState();
    const wrong: string[] = [];
    const expectStatus = (op: Operation, who: string, status: number, allowed: number[], text: string) => {
      if (!allowed.includes(status)) wrong.push(`${op.operationId} (${op.method} ${op.path}) ${who}: ${status} ${text.slice(0, 160)}`);
    };
    for (const op of operations) {
      for (const token of [undefined, 'not-a-real-token']) {
        const res = await call(op, token);
        expectStatus(op, token ? 'made-up token' : 'anonymous', res.status, [401], res.text);
        if (res.status === 401) expect(res.json).toEqual({ error: expect.objectContaining({ code: 'UNAUTHENTICATED' }) });
      }
      if (isOperatorPath(op.path)) {
        const res = await call(op, stranger);
        expectStatus(op, 'non-operator', res.status, [403], res.text);
        continue;
      }
      const entry = REFUSALS[op.operationId];
      if (!entry) continue;
      const refused = entry.bodyFirst ? [400, 403, 404] : [403, 404];
      if (entry.member) {
        const res = await call(op, member);
        expectStatus(op, 'plain member', res.status, entry.bodyFirst ? [400, 403] : [403], res.text);
      }
      if (typeof entry.scope === 'string' && entry.scope !== 'own' && !entry.multipart) {
        const body = typeof entry.body === 'function' ? entry.body() : entry.body;
        const res = await call(op, askedBy(entry.scope), entry.scope, body);
        expectStatus(op, `another organisation's ${entry.scope}`, res.status, entry.body ? [403, 404] : refused, res.text);
        // Refused in words the person reads.
        if (res.status === 403 || res.status === 404) {
          if (!/\p{Script=Han}/u.test(String(res.json?.error?.message)))
            wrong.push(`${op.operationId} ${entry.scope}: message not in Chinese: ${res.text.slice(0, 160)}`);
        }
      }
    }
    expect(wrong, 'refusals that did not happen as expected').toEqual([]);
    expect(await counts()).toEqual(before);
    // Updates leave the row count alone: the other organisation's rows are as they were.
    const db = h.platform.db;
    expect(await escrowState()).toEqual(escrowBefore);
    expect(await voucherState()).toEqual(vouchersBefore);
    expect(vouchersBefore).toMatchObject({
      campaign: { status: 'funded' },
      issuance: { status: 'running' },
      merchant: { status: 'pending' },
      redemption: { status: 'paid' },
    });
    expect((await db.select().from(invitations).where(eq(invitations.id, ids.invitation)))[0]).toMatchObject({ status: 'pending' });
    expect((await db.select().from(mallOrders).where(eq(mallOrders.id, ids.order)))[0]).toMatchObject({ status: 'pending_payment' });
    expect((await db.select().from(mallPayments).where(eq(mallPayments.paymentNo, ids.payment)))[0]).toMatchObject({ status: 'pending' });
    expect((await db.select().from(serviceItems).where(eq(serviceItems.id, ids.storefrontItem)))[0]).toMatchObject({ title: STOREFRONT_ITEM.title });
    expect((await db.select().from(individualProfiles).where(eq(individualProfiles.userId, ids.unitEmployee)))[0]).toMatchObject({ unitStatus: 'pending' });
    expect(
      (
        await db
          .select()
          .from(memberships)
          .where(and(eq(memberships.userId, ids.organisationMember), eq(memberships.organisationId, owner.organisationId)))
      ).map((r) => r.role),
    ).toEqual(['member']);
  }, 300_000);

  it('another bureau importing a valid merchant sheet into the campaign is refused; nothing is enrolled', async () => {
    const db = h.platform.db;
    const before = (await db.select({ n: count() }).from(voucherMerchants))[0]!.n;
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('商户名单');
    ws.addRow(['商户名称', '经营地址', '所在街镇', '经营类别', '商户编号', '联系人', '联系电话', '统一社会信用代码']);
    ws.addRow(['綦江区东溪镇百货商店', '重庆市綦江区东溪镇朝阳街 5 号', '东溪镇', '百货', '102500110000009', '李四', '13900139000', buildUscc()]);
    const fd = new FormData();
    const type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    fd.append('file', new File([(await wb.xlsx.writeBuffer()) as ArrayBuffer], 'merchants.xlsx', { type }));
    const res = await h.app.request(`/api/v1/vouchers/campaigns/${ids.voucherCampaign}/merchants/import`, {
      method: 'POST',
      body: fd,
      headers: { authorization: `Bearer ${strangerBureau}` },
    });
    const text = await res.text();
    expect([403, 404], text).toContain(res.status);
    expect(text).toMatch(/\p{Script=Han}/u);
    expect((await db.select({ n: count() }).from(voucherMerchants))[0]!.n).toBe(before);
  });
});
