-- Notifications: an outbox written in the transaction of the change that causes a message, and
-- delivered by workers (convene worker, or inside convene serve).

-- One row per message to send. The unique key makes "once" a database fact: a confirmation, a
-- promotion, one reminder per (session, offset, sequence), one update per new sequence of a session,
-- one cancellation per sequence.
CREATE TABLE outbox (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  registration_id bigint NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
  event_id        bigint NOT NULL,
  kind            text NOT NULL
                  CHECK (kind IN ('confirmation', 'promotion', 'reminder', 'update', 'cancellation', 'rejection')),
  session_id      bigint REFERENCES sessions (id) ON DELETE CASCADE,
  offset_seconds  integer NOT NULL DEFAULT 0,
  sequence        integer NOT NULL DEFAULT 0,
  -- pending: waiting for due_at; sending: claimed by a worker until lease_until; sent; failed: gave
  -- up (last_error says why); skipped: no longer relevant when its turn came (e.g. the registrant
  -- cancelled before a reminder was due).
  status          text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
  due_at          timestamptz NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  lease_until     timestamptz,
  worker          text,
  sent_at         timestamptz,
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE NULLS NOT DISTINCT (registration_id, kind, session_id, offset_seconds, sequence)
);
-- What workers claim: due rows, and rows whose worker's lease ran out (it died).
CREATE INDEX outbox_claimable ON outbox (due_at) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_by_event ON outbox (event_id, id);

-- Secrets in links that e-mails carry. The manage token returned at registration lives in
-- registrations.manage_token_hash; every e-mail mints fresh ones here (the clear text is never
-- stored, so a message written later cannot reuse an earlier token), and join tokens give each
-- confirmed registrant a personal link to the meeting.
CREATE TABLE access_tokens (
  token_hash      bytea PRIMARY KEY,
  registration_id bigint NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
  purpose         text NOT NULL CHECK (purpose IN ('manage', 'join')),
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX access_tokens_by_registration ON access_tokens (registration_id);

ALTER TABLE registrations
  ADD COLUMN first_joined_at timestamptz,
  ADD COLUMN last_joined_at timestamptz,
  -- "Already registered" re-sends the confirmation, at most once an hour per address.
  ADD COLUMN confirmation_resends integer NOT NULL DEFAULT 0,
  ADD COLUMN confirmation_resent_at timestamptz;
