import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ locals }) => {
  const a = locals.actor;
  return {
    user: locals.user ? { id: locals.user.id, username: locals.user.username, displayName: locals.user.displayName } : null,
    memberships: a?.memberships ?? [],
    activeOrganisation: a?.organisation ?? null,
    isOperator: a?.isOperator ?? false,
    unreadCount: a ? await locals.services.messages.unreadCount(a.userId) : 0,
    devTools: locals.platform.config.devTools,
    sandboxBanner: locals.platform.config.sandboxBanner,
    realtimeUrl: locals.platform.config.PUBLIC_REALTIME_URL ?? null,
    /** 客服 and ICP 备案 for the footer (operator setting `site.footer`). */
    siteFooter: await locals.services.settings.get('site.footer'),
  };
};
