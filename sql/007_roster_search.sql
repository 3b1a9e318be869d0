-- Roster search (`q`) looks for the folded query inside the folded name, e-mail and organisation.
-- Without an index that reads every registrant of the event (200 ms at 100,000); trigram indexes on
-- the same expressions let PostgreSQL find the few rows that match. pg_trgm, like unaccent, is a
-- trusted extension: the database owner may create it. On a database that already holds many
-- registrations, build these first with CREATE INDEX CONCURRENTLY under the same names
-- (docs/operations.md, "Large indexes"); IF NOT EXISTS then skips them here.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS registrations_name_trigrams ON registrations
  USING gin (convene_fold(name) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS registrations_email_trigrams ON registrations
  USING gin (convene_fold(email) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS registrations_organisation_trigrams ON registrations
  USING gin (convene_fold(coalesce(organisation, '')) gin_trgm_ops);
