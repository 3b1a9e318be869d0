-- Whether a registration is still coming (or hoping to): it gets updates and reminders and counts
-- among the audience. The C++ core says the same (is_active in include/convene/registration.hpp);
-- tests/store/ holds the two together. A simple SQL function, which PostgreSQL inlines into the
-- statements that call it.
CREATE FUNCTION convene_is_active(status text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT status IN ('confirmed', 'waitlisted', 'pending') $$;
