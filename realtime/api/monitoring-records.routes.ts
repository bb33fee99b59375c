import { createRoute, z } from '@hono/zod-openapi';
import type { MonitoringRecordService } from '../../core/monitoring/records.service';
import { BulkApproveResult, PendingCounts, RecordDetailView, RecordPage, RecordView } from '../../core/monitoring/records.schema';
import { downloadHeaders } from '../../core/shared/export';
import type { ApiRouter } from './context';
import { authed, errorResponses, json, jsonBody, Message, named } from './schemas';

const TAGS = ['消费扶贫监测'];
const Record = named(RecordView, 'MonitoringRecord');
const RecordDetail = named(RecordDetailView, 'MonitoringRecordDetail');
const Bulk = named(BulkApproveResult, 'MonitoringBulkApproveResult');
const Counts = named(PendingCounts, 'MonitoringRecordCounts');
const Page = named(RecordPage, 'MonitoringRecordPage', { description: 'totalCapped：记录超过 10000 条时 total 为 10000（显示为“10000+”）' });

/** Every field is checked by the service (field messages in Chinese), so the document only describes them. */
const field = (description: string, example?: string) => z.unknown().optional().openapi({ type: 'string', description, example });
const ContentFields = {
  filingType: field('填报类型：backfill 上半年购销信息补登 · regular 购销信息登记', 'regular'),
  periodId: field('填报期编号（该填报类型下开放的填报期）'),
  directFromOrigin: field('是否直接向扶贫地区原产地采购：true / false', 'true'),
  originCountyCode: field('原产地县（区）代码（帮扶县名单内，6 位）', '451225'),
  category: field('产品类别', '水果'),
  productName: field('产品名称（1–60 字）', '砂糖橘'),
  unit: field('计量单位', '公斤'),
  quantity: field('采购数量（大于 0，最多三位小数）', '1200.5'),
  amountYuan: field('采购金额（元，大于 0，最多两位小数）', '8600.00'),
  evidence: z.unknown().optional().openapi({
    type: 'array',
    description: '凭证：[{ fileId, kind: invoice 发票 · contract 合同 · waybill 运单 · other 其他 }]，先通过 /files 上传；最多 10 份，PDF 或图片',
  }),
};
const CreateBody = z.object(ContentFields).openapi('MonitoringRecordInput');
const UpdateBody = z.object({ ...ContentFields, seq: field('看到的记录序号（seq）：记录已被他人修改时回答 409') }).openapi('MonitoringRecordUpdate');
const SeqBody = z.object({ seq: field('看到的记录序号（seq）') }).openapi('MonitoringRecordSeq');
const DecideBody = z
  .object({
    seq: field('看到的记录序号（seq）'),
    decision: field('approve 审核通过 · return 退回修改', 'approve'),
    comment: field('退回原因（退回时必填，最多 200 字）'),
  })
  .openapi('MonitoringRecordDecision');
const BulkBody = z
  .object({
    ids: z.unknown().optional().openapi({ type: 'array', description: '记录编号（最多 5000 条）' }),
    filter: z.unknown().optional().openapi({ type: 'object', description: '或：列表的筛选条件（本人待审核的全部记录，最多 5000 条）' }),
  })
  .openapi('MonitoringBulkApprove');

const idParam = z.object({ id: z.string().openapi({ description: '记录编号' }) });
const q = (description: string) => z.string().optional().openapi({ description });
const listQuery = z.object({
  tab: q('pending 待处理（默认，审核人）· reviewed 已处理 · all 全部（填报单位默认）'),
  status: q('状态：draft 草稿 · filed 已填报 · submitted 已提交 · approved 审核通过 · returned 退回修改'),
  category: q('产品类别'),
  originProvinceCode: q('原产地省份代码（如 450000）'),
  originCountyCode: q('原产地县代码'),
  reporterKind: q('填报单位类型'),
  filingType: q('填报类型'),
  periodId: q('填报期编号'),
  cityCode: q('填报单位所属地级市代码（如 440100）'),
  mine: q('true：仅本单位填报的记录（市场、连锁总部不含其批发商、门店的记录）'),
  q: q('产品名称或填报单位名称'),
  page: q('页码'),
  pageSize: q('每页条数（最多 100）'),
});
const deleteQuery = z.object({ seq: q('看到的记录序号（seq）') });
const xlsx = (description: string) => ({
  description,
  content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().openapi({ format: 'binary' }) } },
});
const WHO = ['MONITORING_NOT_A_MEMBER', 'MONITORING_ROLE_REQUIRED'] as const;

const routes = {
  list: createRoute({
    operationId: 'listMonitoringRecords',
    method: 'get',
    path: '/monitoring/records',
    tags: TAGS,
    summary: '购销记录列表（本人可见范围；待处理 / 已处理 / 全部；按状态、类别、原产地、填报单位类型、填报期、地市、名称筛选；分页）',
    security: authed,
    request: { query: listQuery },
    responses: { 200: json(Page, 'Records'), ...errorResponses(400, 401, ...WHO) },
  }),
  export: createRoute({
    operationId: 'exportMonitoringRecords',
    method: 'get',
    path: '/monitoring/records/export',
    tags: TAGS,
    summary: '导出购销记录（XLSX，条件同列表，默认全部，最多 50000 行）',
    security: authed,
    request: { query: listQuery },
    responses: { 200: xlsx('The records'), ...errorResponses(400, 401, ...WHO) },
  }),
  counts: createRoute({
    operationId: 'getMonitoringRecordCounts',
    method: 'get',
    path: '/monitoring/records/counts',
    tags: TAGS,
    summary: '首页数字：待我审核、被退回、草稿的记录数',
    security: authed,
    responses: { 200: json(Counts, 'Counts'), ...errorResponses(401, ...WHO) },
  }),
  create: createRoute({
    operationId: 'createMonitoringRecord',
    method: 'post',
    path: '/monitoring/records',
    tags: TAGS,
    summary: '新建购销记录（草稿；填报账号）',
    security: authed,
    request: { body: jsonBody(CreateBody) },
    responses: { 201: json(Record, 'Created'), ...errorResponses(400, 401, ...WHO, 'MONITORING_PERIOD_CLOSED') },
  }),
  bulkApprove: createRoute({
    operationId: 'bulkApproveMonitoringRecords',
    method: 'post',
    path: '/monitoring/records/bulk-approve',
    tags: TAGS,
    summary: '批量审核通过（扶贫部门：已提交的；市场、商超：已填报的）；逐条回答未通过的原因',
    security: authed,
    request: { body: jsonBody(BulkBody) },
    responses: { 200: json(Bulk, 'Per-record results'), ...errorResponses(400, 401, ...WHO) },
  }),
  get: createRoute({
    operationId: 'getMonitoringRecord',
    method: 'get',
    path: '/monitoring/records/{id}',
    tags: TAGS,
    summary: '购销记录详情：凭证、流转记录、历史版本、本版修改内容、可进行的操作',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(RecordDetail, 'The record'), ...errorResponses(401, 404, ...WHO) },
  }),
  update: createRoute({
    operationId: 'updateMonitoringRecord',
    method: 'put',
    path: '/monitoring/records/{id}',
    tags: TAGS,
    summary: '修改草稿或退回修改的记录（退回后的修改保存为新版本；凭证整体替换）',
    security: authed,
    request: { params: idParam, body: jsonBody(UpdateBody) },
    responses: {
      200: json(Record, 'Updated'),
      ...errorResponses(400, 401, 404, ...WHO, 'MONITORING_RECORD_CHANGED', 'MONITORING_RECORD_LOCKED', 'MONITORING_PERIOD_CLOSED'),
    },
  }),
  remove: createRoute({
    operationId: 'deleteMonitoringRecord',
    method: 'delete',
    path: '/monitoring/records/{id}',
    tags: TAGS,
    summary: '删除草稿',
    security: authed,
    request: { params: idParam, query: deleteQuery },
    responses: { 200: json(Message, 'Deleted'), ...errorResponses(400, 401, 404, ...WHO, 'MONITORING_RECORD_CHANGED', 'MONITORING_RECORD_LOCKED') },
  }),
  submit: createRoute({
    operationId: 'submitMonitoringRecord',
    method: 'post',
    path: '/monitoring/records/{id}/submit',
    tags: TAGS,
    summary: '提交（批发商、门店交市场或商超审核，其他直接交扶贫部门；至少一份凭证）',
    security: authed,
    request: { params: idParam, body: jsonBody(SeqBody) },
    responses: {
      200: json(Record, 'Submitted'),
      ...errorResponses(400, 401, 404, ...WHO, 'MONITORING_RECORD_CHANGED', 'MONITORING_EVIDENCE_REQUIRED', 'INVALID_TRANSITION'),
    },
  }),
  decide: createRoute({
    operationId: 'decideMonitoringRecord',
    method: 'post',
    path: '/monitoring/records/{id}/decision',
    tags: TAGS,
    summary: '审核：通过或退回修改（退回须填写原因）',
    security: authed,
    request: { params: idParam, body: jsonBody(DecideBody) },
    responses: { 200: json(Record, 'Decided'), ...errorResponses(400, 401, 404, ...WHO, 'MONITORING_RECORD_CHANGED', 'INVALID_TRANSITION') },
  }),
};

/** Purchase records (购销记录) and their review. Static paths before /{id}. */
export function registerMonitoringRecordRoutes(api: ApiRouter) {
  const svc = (c: { var: { services: { monitoringRecords: MonitoringRecordService } } }) => c.var.services.monitoringRecords;
  /** The bodies are checked by the service (one place for the field messages). */
  const body = (c: { req: { valid: (t: 'json') => unknown } }) => (c.req.valid('json') ?? {}) as Record<string, unknown>;
  api.openapi(routes.list, async (c) => c.json(await svc(c).list(c.var.actor, c.req.valid('query')), 200));
  api.openapi(routes.export, async (c) => {
    const file = await svc(c).exportXlsx(c.var.actor, c.req.valid('query'));
    return c.body(new Uint8Array(file.bytes), 200, downloadHeaders(file));
  });
  api.openapi(routes.counts, async (c) => c.json(await svc(c).pendingCounts(c.var.actor), 200));
  api.openapi(routes.create, async (c) => c.json(await svc(c).create(c.var.actor, body(c)), 201));
  api.openapi(routes.bulkApprove, async (c) => c.json(await svc(c).bulkApprove(c.var.actor, body(c)), 200));
  api.openapi(routes.get, async (c) => c.json(await svc(c).detail(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.update, async (c) => {
    const b = body(c);
    return c.json(await svc(c).update(c.var.actor, c.req.valid('param').id, { ...b, seq: b.seq }), 200);
  });
  api.openapi(routes.remove, async (c) => {
    await svc(c).remove(c.var.actor, c.req.valid('param').id, { seq: c.req.valid('query').seq });
    return c.json({ message: '已删除' }, 200);
  });
  api.openapi(routes.submit, async (c) => c.json(await svc(c).submit(c.var.actor, c.req.valid('param').id, { seq: body(c).seq }), 200));
  api.openapi(routes.decide, async (c) => {
    const b = body(c);
    return c.json(await svc(c).decide(c.var.actor, c.req.valid('param').id, { seq: b.seq, decision: b.decision, comment: b.comment }), 200);
  });
}
