import type { SubmitFunction } from '@sveltejs/kit';
import type { Countdown } from '$lib/state/countdown.svelte';

/**
 * The registration forms' submit: 获取验证码 and 注册 share one form (the code button posts to
 * ?/sendCode); the countdown starts when a code went out or the server says to wait.
 */
export function registerSubmit(countdown: Countdown, busy: (which: 'code' | 'register' | null) => void): SubmitFunction {
  return ({ action }) => {
    const isCode = action.search.includes('sendCode');
    busy(isCode ? 'code' : 'register');
    return async ({ result, update }) => {
      await update({ reset: false });
      busy(null);
      if (isCode && result.type === 'success') countdown.start(60);
      const wait = result.type === 'failure' ? (result.data as { error?: { retryAfterSeconds?: number } })?.error?.retryAfterSeconds : undefined;
      if (isCode && wait) countdown.start(wait);
      if (!isCode && result.type === 'failure') document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    };
  };
}
