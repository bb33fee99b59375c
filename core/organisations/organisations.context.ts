import { memberships, organisations } from '../../db/schema';
import { defineContext } from '../platform/context';
import { createOrganisationService } from './organisations.service';

/** Organisations (enterprises, providers, units, merchants, …), their members and operators' review of them. */
export const organisationsContext = defineContext({
  name: 'organisations',
  tables: { organisations, memberships },
  create: ({ db }) => ({ organisations: createOrganisationService({ db }) }),
});
