// Must not compile: HTTP handlers call use cases; only they open transactions.
#include "store/store.hpp"
