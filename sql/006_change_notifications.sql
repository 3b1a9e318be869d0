-- Servers cache events (and the public calendar feed built from them). Every change to an event or
-- its sessions bumps events.version; this trigger announces it to every server listening, which
-- drops its copy at once. NOTIFY is delivered at commit, and only if the transaction commits.
CREATE FUNCTION convene_announce_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('convene_events', NEW.slug);
  RETURN NULL;
END $$;

CREATE TRIGGER events_announce_change
  AFTER INSERT OR UPDATE ON events
  FOR EACH ROW EXECUTE FUNCTION convene_announce_event_change();
