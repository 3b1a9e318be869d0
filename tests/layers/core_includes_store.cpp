// Must not compile: the core does no I/O and knows no layer above it.
#include "store/store.hpp"
