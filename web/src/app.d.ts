import type { Actor } from '$core/shared/actor';
import type { PublicUser } from '$core/accounts/accounts.service';
import type { Platform } from '$core/platform/platform';

declare global {
  namespace App {
    interface Error {
      code?: string;
      message: string;
    }
    interface Locals {
      platform: Platform;
      services: Platform['services'];
      actor: Actor | null;
      user: PublicUser | null;
      /** The session token from the cookie (for logout). */
      token: string | null;
      ip: string;
    }
  }
}

export {};
