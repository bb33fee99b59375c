import { redirect } from '@sveltejs/kit';
import type { Actor } from '$core/shared/actor';

/** Sends anonymous visitors to the login page, coming back here afterwards. */
export function requireLogin(locals: App.Locals, url: URL): Actor {
  if (!locals.actor) redirect(303, `/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`);
  return locals.actor;
}
