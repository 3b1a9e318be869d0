-- Roster search off the rush's path (issue 17): one folded column, one index, a cheaper fold.
--
-- What a registration's INSERT paid for 007's search, measured with pgbench (16 clients, one-row
-- INSERTs, 100,000 registrants; bench/roster.sh prints the same comparison): the folds, not the
-- number of indexes. A trigram index costs about the same per row whether the trigrams come from
-- three columns or one; the SQL-language convene_fold of 005 costs more, because PostgreSQL cannot
-- inline it (it is declared IMMUTABLE around the STABLE unaccent) and so parses and plans its body
-- again in every statement, three times per INSERT.
--
-- 1. convene_fold becomes PL/pgSQL: the same expression, whose plan a session keeps across
--    statements. The results are the same, so nothing built on it changes.
-- 2. `search_text` holds the three folded fields, one after the other, and one trigram index covers
--    it. A generated column follows every write of the fields (registration, change, erasure)
--    without the statements naming it, and a search the index cannot help (a query of two
--    letters) reads the stored text instead of folding every row again.
--
-- Each field is folded on its own (as 007 did) and the three are joined by a line break, which no
-- stored name, e-mail or organisation holds: they are single lines (FieldReader::line and
-- parse_email refuse control characters). A query found as a literal substring therefore lies within
-- one field; the roster's statement (store/organiser_views.cpp) finds nothing for a query that holds
-- a line break, so none spans two fields.
--
-- The old indexes go first: adding the column rewrites the table, and every index on it with it.
-- The rewrite holds an exclusive lock on registrations (0.7 s at 100,000 rows on a shared 2-core
-- machine): migrate outside a rush. On a database that already holds many registrations, run these
-- statements by hand first, the index CONCURRENTLY (docs/operations.md, "Large indexes"); IF NOT
-- EXISTS then skips them here.
DROP INDEX IF EXISTS registrations_name_trigrams, registrations_email_trigrams, registrations_organisation_trigrams;
CREATE OR REPLACE FUNCTION convene_fold(text) RETURNS text
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ BEGIN RETURN lower(public.unaccent('public.unaccent'::regdictionary, $1)); END $$;
ALTER TABLE registrations ADD COLUMN IF NOT EXISTS search_text text GENERATED ALWAYS AS (
  convene_fold(name) || E'\n' || convene_fold(email) || E'\n' || convene_fold(coalesce(organisation, ''))) STORED;
CREATE INDEX IF NOT EXISTS registrations_search_trigrams ON registrations USING gin (search_text gin_trgm_ops);
