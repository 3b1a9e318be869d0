-- The sequence floor (issue 18): a number added to every SEQUENCE convene writes into iCalendar, so
-- that a database restored to an earlier point in time never sends a calendar a lower SEQUENCE than
-- one it already mailed. 0 until `convene restore-floor` raises it, once after each restore; the
-- rule and why it suffices are in include/convene/sequence_floor.hpp.
--
-- One row, always there: every read of an event reads it (store/rows.cpp), and raising it locks it.
-- It is never added to the outbox's keys, which keep the raw sequences.
CREATE TABLE sequence_floor (
  only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  floor     integer NOT NULL DEFAULT 0 CHECK (floor >= 0),
  raised_at timestamptz
);
INSERT INTO sequence_floor DEFAULT VALUES;
