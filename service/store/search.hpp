// The roster search's index, written after the commit (sql/016_search_after_commit.sql): a write of
// a registration notes it in a backlog, and the worker turns the notes into folded text here.
// Searches never wait for it (store/organiser_views.cpp folds a noted registration on the fly).
#pragma once

#include "store/store.hpp"

namespace convene::store::search {

// Writes the folded text of at most `limit` noted registrations and drops their notes, in one
// statement. Returns how many notes it took; 0 if another worker is at it (one at a time, so that
// an older snapshot never writes over a newer one) or nothing is noted.
int index_backlog(Tx& tx, int limit);
// How many notes wait for the worker.
long backlog(Tx& tx);

}  // namespace convene::store::search
