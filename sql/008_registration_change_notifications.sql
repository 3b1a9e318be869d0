-- Servers keep rendered invites (GET /api/v1/registrations/{token}/invite.ics) per manage token, so
-- that calendar apps polling their subscriptions cost no query. A change to anything an invite
-- shows is announced to every server listening (payload: the registration's id), which drops its
-- copies at once. Changes an invite does not show (a seat number, a join, a resent confirmation)
-- stay quiet, and so does the opening rush: new registrations are inserts, never cached before.
CREATE FUNCTION convene_announce_registration_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('convene_registrations', OLD.id::text);
  RETURN NULL;
END $$;

CREATE TRIGGER registrations_announce_change
  AFTER UPDATE ON registrations
  FOR EACH ROW
  WHEN ((OLD.status, OLD.name, OLD.email, OLD.organisation, OLD.timezone, OLD.language,
         OLD.invite_sequence, OLD.updated_at, OLD.manage_token_hash)
        IS DISTINCT FROM
        (NEW.status, NEW.name, NEW.email, NEW.organisation, NEW.timezone, NEW.language,
         NEW.invite_sequence, NEW.updated_at, NEW.manage_token_hash))
  EXECUTE FUNCTION convene_announce_registration_change();

CREATE TRIGGER registrations_announce_removal
  AFTER DELETE ON registrations
  FOR EACH ROW EXECUTE FUNCTION convene_announce_registration_change();
