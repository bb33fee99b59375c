/** Error codes of the import engine, each naming a batch's state, with its HTTP status. */
export const IMPORTS_ERRORS = {
  /** The batch is not in the state the operation needs (still parsing, failed, already confirmed…). */
  IMPORT_BATCH_STATE: 409,
  /** Confirming a batch that has no valid row. */
  IMPORT_NOTHING_VALID: 409,
  /** Another confirmation of the batch won, or it is already imported. */
  IMPORT_ALREADY_CONFIRMED: 409,
} as const;
