-- convene: events, sessions, free seats, registrations, organisers, idempotency records.
-- Applied in one transaction by `convene migrate` (see service/store/migrations.cpp).

-- Secrets every server on this database shares (cursor signatures), from PostgreSQL's strong
-- random source (gen_random_uuid uses pg_strong_random: 2 x 122 random bits, hashed to 256).
CREATE TABLE server_secrets (
  name  text PRIMARY KEY,
  value bytea NOT NULL
);
INSERT INTO server_secrets (name, value)
VALUES ('cursor', sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')));

CREATE TABLE events (
  id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug                   text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$'),
  title                  text NOT NULL,
  description            text NOT NULL DEFAULT '',
  timezone               text NOT NULL,
  capacity               integer NOT NULL CHECK (capacity >= 0),
  registration_opens_at  timestamptz,
  -- 'last_session_start': closes when the last scheduled session starts;
  -- 'never': open until an organiser closes it; 'at': at registration_closes_at.
  registration_closes    text NOT NULL DEFAULT 'last_session_start'
                         CHECK (registration_closes IN ('last_session_start', 'never', 'at')),
  registration_closes_at timestamptz,
  requires_approval      boolean NOT NULL DEFAULT false,
  join_url               text,
  organiser_name         text,
  organiser_email        text,
  reminder_offsets       text[] NOT NULL DEFAULT '{P1D,PT1H}',
  status                 text NOT NULL DEFAULT 'published'
                         CHECK (status IN ('draft', 'published', 'cancelled')),
  -- Bumped by every change to the event or its sessions. Registrations are checked against a
  -- cached copy of the event and insert only if its version is still current (see store.cpp).
  version                bigint NOT NULL DEFAULT 1,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  CHECK ((registration_closes = 'at') = (registration_closes_at IS NOT NULL))
);

-- The organiser's wall time and zone are the source of truth; starts_at is derived from them with
-- the tz database named in tzdb_version, and recomputed by `convene tz-refresh` when tzdata changes.
CREATE TABLE sessions (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id         bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  title            text NOT NULL,
  starts_local     timestamp NOT NULL,
  timezone         text NOT NULL,
  disambiguation   text NOT NULL DEFAULT 'reject'
                   CHECK (disambiguation IN ('reject', 'earlier', 'later', 'compatible')),
  starts_at        timestamptz NOT NULL,
  duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 1 AND 10080),
  sequence         integer NOT NULL DEFAULT 0 CHECK (sequence >= 0),
  status           text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
  tzdb_version     text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_by_event ON sessions (event_id, starts_at);

-- Capacity is rows, so that it holds under any concurrency without a counter every registration
-- would queue on: an event's seats are numbered 1..capacity; a seat is either a row of free_seats
-- or the seat_no of exactly one confirmed registration (unique per event), never both, because
-- taking one deletes the free_seats row in the statement that writes it into the registration.
-- Concurrent registrations lock different free_seats rows (FOR UPDATE SKIP LOCKED, searched from
-- a random seat), so they commit in parallel. See service/store/store.cpp.
CREATE TABLE free_seats (
  event_id bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  seat_no  integer NOT NULL CHECK (seat_no > 0),
  PRIMARY KEY (event_id, seat_no)
);

-- event_id has no FOREIGN KEY, on purpose: PostgreSQL checks one by locking the parent row
-- (FOR KEY SHARE), so every registration of the opening rush would lock the same events row and
-- pile up in MultiXacts (measured: a third of the throughput at 64 connections). Events are never
-- deleted, and the insert only happens while the event exists at its checked version (see
-- insert_registration in store.cpp), which is the integrity the key would give.
CREATE TABLE registrations (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id          bigint NOT NULL,
  email             text NOT NULL,
  name              text NOT NULL,
  organisation      text,
  country           text CHECK (country ~ '^[A-Z]{2}$'),
  timezone          text NOT NULL,
  language          text NOT NULL,
  answers           jsonb NOT NULL DEFAULT '{}',
  consent_at        timestamptz NOT NULL,
  status            text NOT NULL
                    CHECK (status IN ('confirmed', 'waitlisted', 'pending', 'cancelled', 'rejected')),
  seat_no           integer CHECK (seat_no > 0),
  manage_token_hash bytea NOT NULL UNIQUE,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  cancelled_at      timestamptz,
  -- Confirmed means holding a seat; nothing else holds one.
  CHECK ((status = 'confirmed') = (seat_no IS NOT NULL))
);
-- One registration per address and event, whatever the letter case.
CREATE UNIQUE INDEX registrations_event_email ON registrations (event_id, lower(email));
-- A seat is held at most once.
CREATE UNIQUE INDEX registrations_seat ON registrations (event_id, seat_no);
-- The waitlist, in order of arrival.
CREATE INDEX registrations_waitlist ON registrations (event_id, id) WHERE status = 'waitlisted';

CREATE TABLE organisers (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email       text NOT NULL,
  token_hash  bytea NOT NULL UNIQUE,
  all_events  boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);

CREATE TABLE organiser_events (
  organiser_id bigint NOT NULL REFERENCES organisers (id) ON DELETE CASCADE,
  event_id     bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  PRIMARY KEY (organiser_id, event_id)
);

-- Responses to POST requests that carried an Idempotency-Key, kept for 24 hours so that a retry
-- gets the first answer byte for byte. The response holds a manage token, so it is stored sealed
-- (AES-256-GCM) under a key derived from the Idempotency-Key and the request body: neither is
-- stored, so a copy of the database alone does not reveal any token.
CREATE TABLE idempotency_keys (
  key_hash     bytea PRIMARY KEY,
  request_hash bytea NOT NULL,
  status       integer,
  response     bytea,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
