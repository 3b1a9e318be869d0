-- The organiser console: sign-in by e-mail link, browser sessions, announcements.

-- A sign-in asked for with an organiser's address. The worker mails the link: it mints the token
-- when it sends the message (only its hash is kept) and the link works once, until expires_at.
CREATE TABLE organiser_sign_ins (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email        text NOT NULL,
  language     text NOT NULL DEFAULT 'en',
  requested_at timestamptz NOT NULL DEFAULT now(),
  token_hash   bytea UNIQUE,        -- set when the message is written
  expires_at   timestamptz,
  used_at      timestamptz
);

-- A signed-in browser: the cookie's token, kept as a hash. It ends after `idle` without use, at
-- expires_at whatever happens, or when revoked (sign-out).
CREATE TABLE organiser_sessions (
  token_hash   bytea PRIMARY KEY,
  email        text NOT NULL,
  created_at   timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz
);

-- A message organisers wrote to registrants. Its recipients are fixed when it is written (one outbox
-- row each, sequence = the announcement's id, so each registrant gets it once).
CREATE TABLE announcements (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id     bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  organiser_id bigint REFERENCES organisers (id),
  language     text NOT NULL,                 -- of subject and body; translations hold the others
  subject      text NOT NULL,
  body         text NOT NULL,
  translations jsonb NOT NULL DEFAULT '{}',   -- {"fr": {"subject": ..., "body": ...}}
  audience     text[] NOT NULL,
  send_at      timestamptz NOT NULL,
  recipients   integer NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  withdrawn_at timestamptz
);
CREATE INDEX announcements_by_event ON announcements (event_id, id);

-- Messages that are not about a registration: the sign-in link goes to an organiser's address.
ALTER TABLE outbox ALTER COLUMN registration_id DROP NOT NULL;
ALTER TABLE outbox ALTER COLUMN event_id DROP NOT NULL;
ALTER TABLE outbox ADD COLUMN sign_in_id bigint REFERENCES organiser_sign_ins (id) ON DELETE CASCADE;
ALTER TABLE outbox ADD CONSTRAINT outbox_has_recipient CHECK (registration_id IS NOT NULL OR sign_in_id IS NOT NULL);
CREATE UNIQUE INDEX outbox_sign_in_once ON outbox (sign_in_id) WHERE sign_in_id IS NOT NULL;
ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check
  CHECK (kind IN ('confirmation', 'promotion', 'reminder', 'update', 'cancellation', 'rejection',
                  'announcement', 'sign-in'));

-- Whether a registrant came: joined through their personal link, or was checked in. The C++ core
-- says the same (attended in include/convene/registration.hpp); tests/store/ holds them together.
CREATE FUNCTION convene_attended(checked_in_at timestamptz, first_joined_at timestamptz) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT $1 IS NOT NULL OR $2 IS NOT NULL $$;
