# The version of convene: project() takes it, and so do the generated convene/version.hpp (metrics,
# the calendars' PRODID) and the test that holds api/openapi.json to it.
set(CONVENE_VERSION 0.1.0)
