import { hash, verify } from '@node-rs/argon2';

// OWASP's argon2id minimum (19 MiB, 2 passes). @node-rs/argon2 defaults to argon2id.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string) => hash(password, OPTIONS);
export const verifyPassword = (passwordHash: string, password: string) => verify(passwordHash, password).catch(() => false);

/** Verifying against a fixed hash when no account matches keeps the answer time the same. */
let dummyHash: Promise<string> | undefined;
export const spendVerifyTime = async (password: string) => {
  dummyHash ??= hashPassword('bangfu-no-such-account-0');
  await verifyPassword(await dummyHash, password);
};
