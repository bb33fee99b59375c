/**
 * The sections of the operators' console, in the order the console shows them: its tabs and its home page
 * (which says how much waits in each queue) both read this list.
 */
export type AdminSection = {
  href: string;
  label: string;
  text: string;
  /** The queue whose waiting count the console home shows beside the section (see admin/+page.server.ts). */
  queue?: AdminQueue;
};
export type AdminQueue = 'requirements' | 'recharges' | 'withdrawals' | 'reminders' | 'afterSales' | 'transfers' | 'failedJobs';

export const ADMIN_SECTIONS: readonly AdminSection[] = [
  { href: '/admin/users', label: '用户管理', text: '查找用户，停用或启用账号' },
  { href: '/admin/organisations', label: '组织管理', text: '按名称或统一社会信用代码查找组织，停用或启用' },
  { href: '/admin/requirements', label: '需求审核', text: '审核企业发布的需求，通过后进入项目大厅', queue: 'requirements' },
  { href: '/admin/recharges', label: '线下充值审核', text: '核对银行到账，确认或驳回线下充值', queue: 'recharges' },
  { href: '/admin/withdrawals', label: '提现审核', text: '批准打款或驳回提现申请', queue: 'withdrawals' },
  { href: '/admin/reminders', label: '验收提醒', text: '已交付但企业迟迟未验收的里程碑，提醒验收', queue: 'reminders' },
  { href: '/admin/after-sales', label: '售后处理', text: '处理企业与服务机构之间的售后申请和纠纷', queue: 'afterSales' },
  { href: '/admin/mall/transfers', label: '大额支付确认', text: '核对单位对公转账到账，确认大额订单的付款', queue: 'transfers' },
  { href: '/admin/mall/products', label: '商品管理', text: '查找消费帮扶馆的商品，下架违规商品' },
  { href: '/admin/ledger', label: '账本核对', text: '检查复式账本是否平衡' },
  { href: '/admin/settings', label: '参数设置', text: '待标室时间等平台参数' },
  { href: '/admin/legal', label: '协议管理', text: '编辑并发布《用户协议》和《隐私政策》的新版本' },
  { href: '/admin/audit', label: '操作记录', text: '按时间、操作、操作人和组织查找每一次审核与资金变动，导出 Excel' },
  { href: '/admin/jobs', label: '后台任务', text: '查看定时与外发任务的执行情况，重试失败的任务', queue: 'failedJobs' },
  { href: '/admin/monitoring', label: '消费扶贫监测', text: '开通省级扶贫部门及其管理员，查看已开通的扶贫部门' },
];
