// The SEQUENCE that calendars see, and the floor that keeps it from going down after a database
// restore.
//
// A calendar app keeps the copy of an event (a UID) with the highest SEQUENCE and ignores any copy
// with a lower one (RFC 5546 section 2.1.4). Within one database SEQUENCE only rises: it is the
// session's sequence (raised on every move, change of length, cancellation or reinstatement) plus,
// in a registrant's invite, the registration's own count of changes to its invite. A restore to an
// earlier point in time takes both counts back: a session moved after the restore point was mailed
// to its registrants with SEQUENCE n + 1, the restored database says n again, and the next move
// would be mailed as n + 1 once more, which calendars that hold the lost n + 1 ignore.
//
// So every SEQUENCE written into iCalendar (invites served and mailed, updates, cancellations and
// the public feed) adds the installation's sequence floor, a number kept in the database
// (sql/015_sequence_floor.sql, 0 until raised), and `convene restore-floor`, run once after any
// restore and before anything is served or mailed, raises it to
//
//     max(floor + 1, whole minutes since 2020-01-01T00:00Z)
//
// Why that is higher than any SEQUENCE mailed before the restore: say the restored database holds
// floor F and, for one registrant and session, the counts n (their sum). What was mailed for that
// UID on the lost timeline was at most F + n + c, c being the changes to that session and that
// registration's invite made after the restore point (each adds 1). F itself was set by the
// previous raise, to the clock's minute then (or it is 0, "minute 0" being 2020-01-01); raises that
// came faster than one a minute set it 1 above the floor before, and the minutes below then count
// from the last raise that took the clock's minute. The minutes since that raise count every minute
// of the lost timeline, so the new floor exceeds F + c, and everything written from now on (at
// least F_new + n) exceeds F + n + c, unless that session (or that invite) changed as many times as
// whole minutes have passed since the floor was last raised, or more: once a minute on average. Two
// restores within one minute with a change between them are such a case (floor + 1 then only equals
// what was mailed). convene changes a session only when an organiser moves, cancels or reinstates
// it or the tz database moves it, so otherwise it would take changes to one session at least once a
// minute for as long as the floor has stood; nothing prevents that, and the floor would then be
// short by the difference. The minutes are read from the clock of the machine that runs the
// command: a clock that is behind weakens the guarantee by as much (floor + 1 still makes every
// raise raise it).
//
// The floor is never added to the outbox's keys (sql/004_outbox.sql: one update per session
// sequence, one reminder per session, offset and sequence): those keep the raw sequence, so raising
// the floor plans no reminder or update a second time. Nor to the API's `sequence` of a session.
#pragma once

#include "convene/event.hpp"
#include "convene/registration.hpp"
#include "convene/time.hpp"

namespace convene {

// Minute 0 of the floor's clock.
inline constexpr Instant kSequenceFloorEpoch = date::sys_days{date::year{2020} / 1 / 1};

// A SEQUENCE is an INTEGER of iCalendar (32 bits in every reader): the floor stays at or below
// this, leaving room for the counts added to it. The clock's minutes reach it in the year 4061.
inline constexpr int kSequenceFloorCeiling = 1'073'741'823;  // 2^30 - 1

// The floor `convene restore-floor` sets at `now`, given the floor it finds: always higher (below
// the ceiling, which it never passes).
int raised_sequence_floor(int current, Instant now);

// SEQUENCE of a session in the public feed (METHOD:PUBLISH).
int calendar_sequence(const Event& event, const Session& session);
// SEQUENCE of a session in a registrant's invite: the registration's own changes added.
int calendar_sequence(const Event& event, const Session& session, const Registration& registration);

}  // namespace convene
