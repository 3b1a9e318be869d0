-- Invitation-only events: organisers invite addresses, and only an invited address may register,
-- with the personal link of its invitation e-mail.

-- open: anyone may register, and the event is listed. invitation: only invitees may register, and
-- the event is left out of the lists (its page stays reachable by its address).
ALTER TABLE events ADD COLUMN access text NOT NULL DEFAULT 'open' CHECK (access IN ('open', 'invitation'));

-- One invitation per address and event (letter case aside). It is used once: used_at and
-- registration_id are set in the transaction that writes the registration. reminders counts the
-- reminders queued, and is the sequence of the next one in the outbox.
CREATE TABLE invitations (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id        bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  email           text NOT NULL,
  name            text,
  language        text NOT NULL DEFAULT 'en',
  invited_at      timestamptz NOT NULL,
  reminders       integer NOT NULL DEFAULT 0,
  used_at         timestamptz,
  registration_id bigint REFERENCES registrations (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX invitations_one_per_address ON invitations (event_id, lower(email));
CREATE INDEX invitations_by_event ON invitations (event_id, id);

-- The tokens of the links the invitation e-mails carry, as hashes. Each message mints its own (as
-- e-mails to registrants do), so the first e-mail's link still works after a reminder; all of them
-- stop working once the invitation is used or withdrawn.
CREATE TABLE invitation_tokens (
  token_hash    bytea PRIMARY KEY,
  invitation_id bigint NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invitation_tokens_by_invitation ON invitation_tokens (invitation_id);

-- Invitation messages go to an invitee, who has no registration: a third kind of recipient. The
-- unique key that makes "sent once" a database fact now names all three, so that the invitation and
-- each reminder (sequence 0, 1, 2...) of one invitation are queued once, and those of different
-- invitations never collide.
ALTER TABLE outbox ADD COLUMN invitation_id bigint REFERENCES invitations (id) ON DELETE CASCADE;
ALTER TABLE outbox DROP CONSTRAINT outbox_has_recipient;
ALTER TABLE outbox ADD CONSTRAINT outbox_has_recipient
  CHECK (registration_id IS NOT NULL OR sign_in_id IS NOT NULL OR invitation_id IS NOT NULL);
DO $$
DECLARE
  old_key text;
BEGIN
  SELECT conname INTO STRICT old_key FROM pg_constraint WHERE conrelid = 'outbox'::regclass AND contype = 'u';
  EXECUTE format('ALTER TABLE outbox DROP CONSTRAINT %I', old_key);
END $$;
ALTER TABLE outbox ADD CONSTRAINT outbox_once
  UNIQUE NULLS NOT DISTINCT (registration_id, invitation_id, kind, session_id, offset_seconds, sequence);
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check
  CHECK (kind IN ('confirmation', 'promotion', 'reminder', 'update', 'cancellation', 'rejection',
                  'announcement', 'sign-in', 'invitation'));
