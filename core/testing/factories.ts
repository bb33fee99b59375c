import { faker } from '@faker-js/faker/locale/zh_CN';
import { usccCheckCharacter } from '../shared/validators';
import type { Platform } from '../platform/platform';
import { latestCode } from './test-platform';

faker.seed(2026);

let seq = 0;
const ALPHA = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** A valid, unique unified social credit code. */
export function buildUscc(): string {
  seq++;
  const body = `91360${String(100 + (seq % 900)).padStart(3, '0')}MA${faker.string.fromCharacters(ALPHA, 7)}`;
  return body + usccCheckCharacter(body);
}

export function buildMobile(): string {
  return `1${faker.helpers.arrayElement(['35', '38', '39', '50', '58', '77', '86', '89'])}${String(faker.number.int({ min: 0, max: 99_999_999 })).padStart(8, '0')}`;
}

export function buildRegistration(over: Record<string, unknown> = {}) {
  seq++;
  const password = 'Passw0rd' + seq;
  return {
    accountType: 'enterprise' as const,
    username: `user${seq}${faker.string.alphanumeric(5)}`,
    mobile: buildMobile(),
    code: '000000',
    email: undefined as string | undefined,
    password,
    confirmPassword: password,
    organisationName: `${faker.location.city()}${faker.company.name()}`,
    uscc: buildUscc(),
    agreeTerms: true as const,
    ...over,
  };
}

/** Registers through the real flow (SMS code from the outbox) and returns the credentials and session. */
/** Each call comes from its own documentation-range address so per-IP limits don't interfere. */
export const nextIp = () => (seq++, `203.0.${Math.floor(seq / 250) % 250}.${seq % 250}`);

export async function registerUser(platform: Platform, over: Record<string, unknown> = {}, ip = nextIp()) {
  const input = buildRegistration(over);
  await platform.services.accounts.sendRegisterCode({ mobile: input.mobile }, { ip });
  const code = await latestCode(platform, input.mobile);
  const session = await platform.services.accounts.register({ ...input, code }, { ip });
  const resolved = (await platform.services.accounts.validateSessionToken(session.token))!;
  return { input, session, actor: resolved.actor, token: session.token };
}
