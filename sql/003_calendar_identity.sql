-- What calendar apps need to recognise our events across copies.
-- ical_uid: the UID of a session's VEVENT, the same in every copy ever sent or downloaded, so that
-- an update or cancellation replaces the entry instead of adding one. Random, so that it survives
-- a change of BASE_URL and reveals nothing.
ALTER TABLE sessions ADD COLUMN ical_uid text NOT NULL DEFAULT (gen_random_uuid()::text || '@convene');
ALTER TABLE sessions ADD CONSTRAINT sessions_ical_uid_unique UNIQUE (ical_uid);
-- invite_sequence: changes a registration makes to its own invite (its cancellation), added to the
-- session's sequence so that SEQUENCE never goes down in the registrant's calendar.
ALTER TABLE registrations ADD COLUMN invite_sequence integer NOT NULL DEFAULT 0;
