/** The rooms of `npm run bench:rooms`, as the seeding step writes them for the other processes. */
export interface BenchRooms {
  rooms: {
    requirementId: string;
    enterprise: { orgId: string; token: string };
    bidders: { orgId: string; token: string; priceFen: number }[];
  }[];
}
