import type { DbOrTx } from '../../db/client';
import { markThreadMessages } from './invitations.repo';
import { activeBidderIds, findLatestStandingProposalOf, getRequirement, isProviderOfRequirement, liveProposalsOf, type RequirementRow } from './tenders.repo';

/**
 * What the bidding room (rooms context) reads of the tenders context, and the one thing it marks
 * there (chat receipts on a negotiation thread). Each function takes the room's database or
 * transaction first, so it runs under the room's own locks. Rooms is built before tenders (tenders
 * needs the room's prices), so it cannot receive these through `needs`; it imports them.
 */
export const tendersForRooms = {
  /** The requirement of a room, locked for a decision when asked, or NOT_FOUND. */
  requirement: (q: DbOrTx, id: string, lock?: 'update'): Promise<RequirementRow> => getRequirement(q, id, lock),

  /** Providers with an active proposal (the room's bidders). */
  activeBidderIds,

  /** Whether the provider has a proposal (not withdrawn) or an invitation (not cancelled) for the requirement. */
  isProvider: isProviderOfRequirement,

  /** The live proposals (active, selected, not selected), cheapest first. */
  liveProposals: liveProposalsOf,

  /** The provider's latest proposal that is not withdrawn (its own side of the room). */
  latestProposalOf: findLatestStandingProposalOf,

  /** Marks the other side's messages of a thread delivered or read (read implies delivered); returns the ids that changed. */
  markChat: markThreadMessages,
};
