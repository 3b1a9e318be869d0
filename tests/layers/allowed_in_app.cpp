// Compiles: the use cases reach the store.
#include "app/context.hpp"
#include "store/seats.hpp"
