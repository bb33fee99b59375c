CREATE TABLE "catalog_versions" (
	"stripe" smallint PRIMARY KEY NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
INSERT INTO "catalog_versions" ("stripe") SELECT generate_series(0, 15);
--> statement-breakpoint
-- Adds 1 to the catalog version once per transaction, as it commits (the triggers below are deferred):
-- a reader either sees a change and the new version or neither. Deferred to the commit so the stripe's
-- row lock is taken last and held only for the commit (taken mid-transaction it could deadlock two
-- orders locking products in different orders); a stripe per transaction id keeps concurrent commits
-- apart. Readers take the sum of the stripes.
CREATE OR REPLACE FUNCTION catalog_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('bangfu.catalog_version_bumped', true), '') = '' THEN
    UPDATE catalog_versions SET version = version + 1 WHERE stripe = (txid_current() % 16)::smallint;
    PERFORM set_config('bangfu.catalog_version_bumped', 'yes', true);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER products_catalog_version AFTER INSERT OR UPDATE OR DELETE ON products
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalog_version_bump();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER organisations_catalog_version AFTER UPDATE ON organisations
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (OLD.full_name IS DISTINCT FROM NEW.full_name OR OLD.region_code IS DISTINCT FROM NEW.region_code OR OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION catalog_version_bump();
