-- Every change to when a session happens, whoever made it: an organiser moving or cancelling it,
-- or `convene tz-refresh` finding that new tz rules put its wall time at another instant.
CREATE TABLE session_changes (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session_id        bigint NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  reason            text NOT NULL CHECK (reason IN ('organiser', 'tzdata')),
  old_starts_at     timestamptz NOT NULL,
  new_starts_at     timestamptz NOT NULL,
  old_status        text NOT NULL,
  new_status        text NOT NULL,
  old_tzdb_version  text NOT NULL,
  new_tzdb_version  text NOT NULL,
  new_sequence      integer NOT NULL,
  changed_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX session_changes_by_session ON session_changes (session_id, id);
