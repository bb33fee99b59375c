import { z } from 'zod';

// Views: what the organisation service returns and the API publishes. Times travel as ISO strings
// (the services hand back Date values, which JSON turns into exactly that).

const Status = z.enum(['active', 'disabled']);

/** The public face of an organisation: no members, no contact details. */
export const PublicOrganisationView = z.object({
  id: z.uuid(),
  kind: z.string(),
  fullName: z.string(),
  intro: z.string().nullable(),
  createdAt: z.iso.datetime(),
});

/** A provider in the showcase hall. */
export const ProviderSummaryView = PublicOrganisationView.omit({ kind: true });

/** A user in the operators' list, with the names of their organisations (oldest membership first). */
export const AdminUserView = z.object({
  id: z.uuid(),
  username: z.string(),
  mobile: z.string(),
  email: z.string().nullable(),
  displayName: z.string().nullable(),
  status: Status,
  createdAt: z.iso.datetime(),
  organisations: z.array(z.string()),
});

export const AdminOrganisationView = z.object({
  id: z.uuid(),
  kind: z.string(),
  fullName: z.string(),
  uscc: z.string().nullable(),
  status: Status,
  parentId: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
  memberCount: z.number().int(),
});

/** The status an operator's change left (a user's result also names the user). */
export const StatusResultView = z.object({ id: z.uuid(), status: Status, username: z.string().optional() });
