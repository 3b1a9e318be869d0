-- Organisers' tools: search that ignores case and accents, check-in, erasure, an audit log.

-- unaccent ships with PostgreSQL and is a trusted extension (the database owner may create it).
CREATE EXTENSION IF NOT EXISTS unaccent;
-- unaccent() is only STABLE (its rules file could change); ours does not, and search needs one
-- function to compare names, addresses and the query in the same way.
CREATE FUNCTION convene_fold(text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

ALTER TABLE registrations
  ADD COLUMN checked_in_at timestamptz,
  -- Erased registrations keep only what counts need (status, country, zone, language, times).
  ADD COLUMN erased_at timestamptz;

-- Who did what, when: every organiser write and every erasure, readable by the event's organisers.
CREATE TABLE audit_log (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id        bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  organiser_id    bigint REFERENCES organisers (id),  -- null: the registrant themself, or the system
  actor           text NOT NULL,                       -- "organiser:<id> <email>", "registrant", "system"
  action          text NOT NULL,
  registration_id bigint REFERENCES registrations (id),
  session_id      bigint REFERENCES sessions (id),
  details         jsonb NOT NULL DEFAULT '{}',
  at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_by_event ON audit_log (event_id, id);

-- So that erasing a registration can also drop the reply an Idempotency-Key kept for it.
ALTER TABLE idempotency_keys ADD COLUMN registration_id bigint;
CREATE INDEX idempotency_keys_by_registration ON idempotency_keys (registration_id);

-- The roster pages through an event's registrations in id order (keyset pagination).
CREATE INDEX registrations_by_event ON registrations (event_id, id);
