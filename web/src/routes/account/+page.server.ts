import { formAction, formValues } from '$lib/server/session';
import { maskMobile } from '$lib/format';
import type { Actions, PageServerLoad } from './$types';

/** After registration (`?welcome=1`): what to do first, by the kind of organisation acted for (a person has none). */
function welcomeSteps(kind: string | undefined): { href: string; title: string; text: string }[] {
  switch (kind) {
    case 'enterprise':
      return [
        { href: '/account/projects/new', title: '发布需求', text: '写清要什么服务和预算，审核通过后服务机构在项目大厅投标' },
        { href: '/wallet/recharge', title: '充值', text: '发布需求要缴保证金，中标后合同款也从钱包托管' },
      ];
    case 'provider':
      return [
        { href: '/account/storefront', title: '完善店铺', text: '介绍、服务项目和案例，企业在展示大厅找到您并邀标' },
        { href: '/projects', title: '去项目大厅', text: '找报名中的竞标项目，提交方案和报价' },
      ];
    case 'merchant':
      return [
        { href: '/mall/merchant', title: '完善店铺', text: '进入商家后台，上架帮扶产品' },
        { href: '/mall/merchant/products/new', title: '发布商品', text: '写清产地、规格和价格，买家在消费帮扶馆下单' },
      ];
    case 'unit':
    case 'budget_unit':
      return [
        { href: '/mall', title: '去逛逛', text: '在消费帮扶馆为单位采购帮扶地区的农副产品' },
        { href: '/', title: '单位工作台', text: '订单与采购统计一目了然' },
      ];
    case 'government':
      return [{ href: '/', title: '进入工作台', text: '消费券活动、区域统计和扶贫监测的入口' }];
    default:
      return [
        { href: '/mall', title: '去逛逛', text: '消费帮扶馆里帮扶地区的农副产品' },
        { href: '/vouchers', title: '领消费券', text: '进行中的政府消费券活动，先到先得' },
      ];
  }
}

export const load: PageServerLoad = async ({ locals, url }) => {
  const u = await locals.services.accounts.getUser(locals.actor);
  return {
    profile: { username: u.username, mobile: maskMobile(u.mobile), email: u.email, displayName: u.displayName, createdAt: u.createdAt },
    welcomeSteps: url.searchParams.get('welcome') === '1' ? welcomeSteps(locals.actor?.organisation?.kind) : [],
  };
};

export const actions: Actions = {
  profile: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await formAction(values, () =>
      locals.services.accounts.updateProfile(locals.actor, { displayName: values.displayName ?? '', email: values.email ?? '' }),
    );
    if (!r.ok) return r.failure;
    return { saved: true as const };
  },
};
