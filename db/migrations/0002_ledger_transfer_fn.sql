-- One round trip per transfer: idempotent on its key (an advisory lock on the key, then a look-up),
-- changes both balance rows in a fixed lock order (account id, shard), then records the transfer. A customer row that would go negative raises
-- INSUFFICIENT_FUNDS and the whole statement (transfer row included) is undone.
CREATE OR REPLACE FUNCTION ledger_transfer(
  p_debit uuid, p_credit uuid, p_amount bigint, p_kind text, p_reference text, p_key text, p_metadata jsonb,
  p_debit_shard smallint, p_credit_shard smallint, p_debit_single boolean, p_credit_single boolean
) RETURNS TABLE (
  id uuid, debit_account_id uuid, credit_account_id uuid, amount_fen bigint, kind text, reference text,
  idempotency_key text, debit_balance_after_fen bigint, credit_balance_after_fen bigint, metadata jsonb,
  created_at timestamptz, replayed boolean
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_debit_after bigint;
  v_credit_after bigint;
BEGIN
  IF p_amount IS NULL OR p_amount <= 0 THEN
    RAISE EXCEPTION 'INVALID_AMOUNT';
  END IF;
  -- Same key at the same time: the second caller waits here, then finds the first transfer.
  PERFORM pg_advisory_xact_lock(hashtextextended(p_key, 7264338003));
  RETURN QUERY SELECT t.id, t.debit_account_id, t.credit_account_id, t.amount_fen, t.kind, t.reference, t.idempotency_key,
    t.debit_balance_after_fen, t.credit_balance_after_fen, t.metadata, t.created_at, true
    FROM ledger_transfers t WHERE t.idempotency_key = p_key;
  IF FOUND THEN
    RETURN;
  END IF;

  IF (p_debit::text || ':' || lpad(p_debit_shard::text, 3, '0')) <= (p_credit::text || ':' || lpad(p_credit_shard::text, 3, '0')) THEN
    UPDATE ledger_balances b SET balance_fen = b.balance_fen - p_amount
      WHERE b.account_id = p_debit AND b.shard = p_debit_shard AND (b.allow_negative OR b.balance_fen >= p_amount)
      RETURNING b.balance_fen INTO v_debit_after;
    IF NOT FOUND THEN RAISE EXCEPTION 'INSUFFICIENT_FUNDS'; END IF;
    UPDATE ledger_balances b SET balance_fen = b.balance_fen + p_amount
      WHERE b.account_id = p_credit AND b.shard = p_credit_shard
      RETURNING b.balance_fen INTO v_credit_after;
    IF NOT FOUND THEN RAISE EXCEPTION 'ACCOUNT_NOT_FOUND'; END IF;
  ELSE
    UPDATE ledger_balances b SET balance_fen = b.balance_fen + p_amount
      WHERE b.account_id = p_credit AND b.shard = p_credit_shard
      RETURNING b.balance_fen INTO v_credit_after;
    IF NOT FOUND THEN RAISE EXCEPTION 'ACCOUNT_NOT_FOUND'; END IF;
    UPDATE ledger_balances b SET balance_fen = b.balance_fen - p_amount
      WHERE b.account_id = p_debit AND b.shard = p_debit_shard AND (b.allow_negative OR b.balance_fen >= p_amount)
      RETURNING b.balance_fen INTO v_debit_after;
    IF NOT FOUND THEN RAISE EXCEPTION 'INSUFFICIENT_FUNDS'; END IF;
  END IF;

  RETURN QUERY INSERT INTO ledger_transfers AS t
    (debit_account_id, credit_account_id, amount_fen, kind, reference, idempotency_key, metadata, debit_balance_after_fen, credit_balance_after_fen)
    VALUES (p_debit, p_credit, p_amount, p_kind, p_reference, p_key, p_metadata,
      CASE WHEN p_debit_single THEN v_debit_after END, CASE WHEN p_credit_single THEN v_credit_after END)
    RETURNING t.id, t.debit_account_id, t.credit_account_id, t.amount_fen, t.kind, t.reference, t.idempotency_key,
      t.debit_balance_after_fen, t.credit_balance_after_fen, t.metadata, t.created_at, false;
END;
$$;
