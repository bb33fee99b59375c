/** Error codes of the mall (catalog, cart, orders, units), each naming a domain state, with its HTTP status. */
export const MALL_ERRORS = {
  /** Only an unpaid bulk order without a receipt under review may be repriced. */
  ORDER_NOT_REPRICEABLE: 409,
  /** A product has less stock than asked for (nothing is reserved). */
  OUT_OF_STOCK: 409,
  /** The order's status does not allow the action (e.g. shipping an unpaid order, paying a closed one). */
  ORDER_STATUS_FORBIDS: 409,
  /** The order changed between reading and writing it (another request won): reload and retry. */
  ORDER_STATUS_CHANGED: 409,
  /** A large transfer's receipt is with an operator: the order may not be cancelled meanwhile. */
  TRANSFER_UNDER_REVIEW: 409,
  /** The buyer asked for a refund: the merchant decides it before anything else happens. */
  REFUND_REQUESTED: 409,
  /** A refund decision on an order with no open refund request. */
  NO_REFUND_REQUEST: 409,
  /** A receipt was already submitted for this transfer, or it is no longer pending. */
  TRANSFER_RECEIPT_SUBMITTED: 409,
  /** An operator reviews a transfer that was already confirmed or rejected. */
  TRANSFER_ALREADY_REVIEWED: 409,
  /** The product's status does not allow the action (e.g. unlisting a draft, featuring an unlisted product). */
  PRODUCT_STATUS_FORBIDS: 409,
  /** A product taken down by the platform cannot be listed again by its merchant. */
  PRODUCT_TAKEN_DOWN: 409,
  /** The user already keeps the most addresses allowed. */
  ADDRESS_LIMIT_REACHED: 409,
  /** An employee's application was already approved or rejected. */
  EMPLOYEE_ALREADY_REVIEWED: 409,
  /** A visitor's cart holds the most products allowed without signing in. */
  VISITOR_CART_FULL: 409,
  /** Only the buyer of a completed order reviews its lines (not before it completes, not someone else). */
  REVIEW_NOT_ALLOWED: 409,
  /** The order line already has its review (one per line). */
  ORDER_LINE_REVIEWED: 409,
  /** The merchant already replied to this review (once). */
  REVIEW_REPLIED: 409,
} as const;
