import type { Actor } from '$core/shared/actor';
import type { PublicUser } from '$core/accounts/accounts.service';
import type { Platform as BangfuPlatform } from '$core/platform/platform';

declare global {
  namespace App {
    interface Error {
      code?: string;
      message: string;
    }
    interface Locals {
      /** Named apart from App.Platform, which would otherwise shadow the import inside this namespace. */
      platform: BangfuPlatform;
      services: BangfuPlatform['services'];
      actor: Actor | null;
      user: PublicUser | null;
      /** The session token from the cookie (for logout). */
      token: string | null;
      ip: string;
    }
  }
}

export {};
