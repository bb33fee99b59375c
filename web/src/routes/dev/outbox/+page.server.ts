import { error } from '@sveltejs/kit';
import { listOutbox } from '$core/notifications/notifier';
import type { PageServerLoad } from './$types';

/** The sandbox SMS/e-mail outbox. Development only: the one page that reads the database directly. */
export const load: PageServerLoad = async ({ locals, url }) => {
  if (!locals.platform.config.devTools) error(404, '页面不存在');
  const recipient = url.searchParams.get('recipient')?.trim() || undefined;
  return { recipient: recipient ?? '', rows: await listOutbox(locals.platform.db, { recipient, limit: 100 }) };
};
