// Must not compile: the store answers the use cases and never calls them.
#include "app/context.hpp"
