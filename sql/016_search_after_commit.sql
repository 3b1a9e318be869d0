-- Roster search indexed after the commit (issue 17): a registration no longer folds its text nor
-- updates a trigram index while the registrant waits.
--
-- What 014's search still cost a registration, measured on a 20,000-row INSERT into registrations
-- (README, "Roster search"): about half of writing the row, the trigram index about 30% and the three
-- folds about 15%. And a search the index cannot help (two letters) read every registrant's
-- search_text, the last column of a wide row: 33 ms at 100,000 registrants, over the 20 ms target.
--
-- 1. registration_search holds what 014's column held, the three folded fields one after the other
--    (convene_search_text, the one place that says how), in a narrow table of its own with the
--    trigram index; a search the index cannot help reads narrow rows.
-- 2. A write of registrations only notes the registration in registration_search_backlog: one
--    statement-level trigger per INSERT (a batch of the group commit notes all its rows in one
--    INSERT), one row-level trigger per change of a searched field (a change of details, an
--    erasure), which also deletes the old text from the index at once, so that an erasure leaves
--    nothing of the person there when it commits. The backlog has no index: a note is a heap row.
-- 3. The worker (store/search.cpp, index_backlog) takes a bounded batch of notes and writes their
--    registrations' folded text, in one statement: the notes it deletes and the registrations it
--    reads are those of one snapshot, so a change noted after that snapshot keeps its note for the
--    next batch. One worker at a time does it (an advisory lock), so an older snapshot never writes
--    over a newer one. An erased registration is not indexed again.
-- 4. The roster's statement (store/organiser_views.cpp) reads registration_search for a registration
--    without a note, and folds on the fly the fields of one with a note: nothing registered or
--    changed is missing from a search, however far behind the worker is.
--
-- Dropping 014's column does not rewrite registrations; filling registration_search reads every
-- registration once. Registrations are held back from the first statement on (the lock below), so
-- that none can commit between the filling and the triggers and be neither indexed nor noted:
-- migrate outside a rush, as for 014 (docs/operations.md).
LOCK TABLE registrations IN SHARE ROW EXCLUSIVE MODE;
CREATE OR REPLACE FUNCTION convene_search_text(name text, email text, organisation text) RETURNS text
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  AS $$ BEGIN
    RETURN convene_fold(name) || E'\n' || convene_fold(email) || E'\n' || convene_fold(coalesce(organisation, ''));
  END $$;

-- Filled before its indexes are built: building a trigram index over 100,000 rows at once is
-- several times quicker than adding them one by one.
CREATE TABLE registration_search (
  registration_id bigint NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
  event_id        bigint NOT NULL,
  search_text     text NOT NULL
);
INSERT INTO registration_search (registration_id, event_id, search_text)
SELECT id, event_id, convene_search_text(name, email, organisation) FROM registrations WHERE erased_at IS NULL;
ALTER TABLE registration_search ADD PRIMARY KEY (registration_id);
CREATE INDEX registration_search_event ON registration_search (event_id, registration_id);
CREATE INDEX registration_search_trigrams ON registration_search USING gin (search_text gin_trgm_ops);

CREATE TABLE registration_search_backlog (
  registration_id bigint NOT NULL
);
-- A queue, whose rows come and go by the thousand at a rush: vacuumed and analysed after 10,000
-- changes rather than after a fifth of the table, so that searches, which read it whole, do not
-- wade through the dead rows of a rush for long.
ALTER TABLE registration_search_backlog SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000,
                                             autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 10000);

CREATE FUNCTION convene_note_inserted_registrations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO registration_search_backlog (registration_id) SELECT id FROM inserted_registrations;
  RETURN NULL;
END $$;
CREATE TRIGGER registrations_noted_for_search AFTER INSERT ON registrations
  REFERENCING NEW TABLE AS inserted_registrations
  FOR EACH STATEMENT EXECUTE FUNCTION convene_note_inserted_registrations();

CREATE FUNCTION convene_note_changed_registration() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM registration_search WHERE registration_id = NEW.id;
  INSERT INTO registration_search_backlog (registration_id) VALUES (NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER registrations_renoted_for_search AFTER UPDATE OF name, email, organisation ON registrations
  FOR EACH ROW
  WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.email IS DISTINCT FROM NEW.email
        OR OLD.organisation IS DISTINCT FROM NEW.organisation)
  EXECUTE FUNCTION convene_note_changed_registration();

-- The release before 016 reads this column for its roster search: while a server of that release
-- still runs, its searches fail (docs/operations.md). Dropped now all the same, since keeping it
-- would keep its folds in every registration and the old text of an erased person in the row.
ALTER TABLE registrations DROP COLUMN IF EXISTS search_text;  -- and 014's index with it
