# The layers of convene, each a library, and the one direction they depend in:
#
#   core (no I/O)  <  store, mail  <  app (use cases)  <  http  <  the binary (service/cli)
#
# A layer's headers are reached as "<layer>/name.hpp" through a folder of the build tree that holds
# that layer alone (a symbolic link to service/<layer>), added to the include path of the layer's
# library and of what links it. So a file sees the headers of the layers its library links and no
# others: an include that reaches past a layer does not compile (tests/layers/ checks that it does
# not). Shared by the main build and fuzz/ (whose one library holds every layer).
set(CONVENE_CORE_SOURCES
  service/core/time.cpp service/core/tzdb_catalog.cpp service/core/posix_tz_rule.cpp service/core/text.cpp
  service/core/locale.cpp service/core/iso_duration.cpp service/core/registration.cpp service/core/event.cpp service/core/questions.cpp
  service/core/crypto.cpp service/core/json_views.cpp service/core/problem.cpp service/core/field_reader.cpp
  service/core/cursor.cpp service/core/time_conversion.cpp service/core/icalendar.cpp service/core/vtimezone.cpp
  service/core/invites.cpp service/core/mail.cpp service/core/csv.cpp service/core/rate_limit.cpp
  service/core/messages.cpp service/core/pages.cpp service/core/announcement.cpp service/core/time_fit.cpp
  service/core/invitation.cpp service/core/sequence_floor.cpp)
set(CONVENE_STORE_SOURCES
  service/store/sql.cpp service/store/rows.cpp service/store/pool.cpp service/store/migrations.cpp
  service/store/store.cpp service/store/events.cpp service/store/seats.cpp service/store/answers.cpp service/store/registrations.cpp
  service/store/outbox.cpp service/store/audit.cpp service/store/organiser_views.cpp service/store/organisers.cpp
  service/store/idempotency.cpp service/store/sign_ins.cpp service/store/announcements.cpp service/store/listener.cpp
  service/store/invitations.cpp service/store/deadline.cpp service/store/sequence_floor.cpp service/store/search.cpp)
set(CONVENE_MAIL_SOURCES service/mail/spool_mailer.cpp service/mail/smtp_mailer.cpp)
set(CONVENE_APP_SOURCES
  service/app/config.cpp service/app/context.cpp service/app/log.cpp service/app/secrets.cpp
  service/app/rate_limiter.cpp service/app/event_cache.cpp service/app/invite_cache.cpp service/app/problems.cpp
  service/app/paging.cpp service/app/seat_moves.cpp service/app/erasure.cpp service/app/organisers.cpp
  service/app/events.cpp service/app/registrations.cpp service/app/calendars.cpp service/app/roster.cpp
  service/app/moderation.cpp service/app/join.cpp service/app/tz_refresh.cpp service/app/worker.cpp
  service/app/operations.cpp service/app/idempotency.cpp service/app/sign_in.cpp
  service/app/announcements.cpp service/app/time_fit.cpp service/app/invitations.cpp service/app/restore_floor.cpp)
set(CONVENE_HTTP_SOURCES
  service/http/metrics.cpp service/http/router.cpp service/http/request.cpp service/http/server.cpp
  service/http/routes_events.cpp service/http/routes_registrations.cpp service/http/routes_ops.cpp
  service/http/routes_organisers.cpp service/http/routes_pages.cpp service/http/routes_time.cpp
  service/http/pages.cpp service/http/routes_console.cpp service/http/connections.cpp service/http/connection.cpp)

# The folder through which `layer`'s headers are included, made on first use.
function(convene_layer_include_root layer out)
  set(root ${CMAKE_BINARY_DIR}/layers/${layer})
  if(NOT EXISTS ${root}/${layer})
    file(MAKE_DIRECTORY ${root})
    file(CREATE_LINK ${CONVENE_REPO}/service/${layer} ${root}/${layer} SYMBOLIC)
  endif()
  set(${out} ${root} PARENT_SCOPE)
endfunction()

# convene/version.hpp, from cmake/version.cmake.
string(REGEX MATCH "^([0-9]+)\\.([0-9]+)" _ ${CONVENE_VERSION})
set(CONVENE_VERSION_MAJOR ${CMAKE_MATCH_1})
set(CONVENE_VERSION_MINOR ${CMAKE_MATCH_2})
configure_file(${CONVENE_REPO}/cmake/version.hpp.in ${CMAKE_BINARY_DIR}/generated/convene/version.hpp @ONLY)
