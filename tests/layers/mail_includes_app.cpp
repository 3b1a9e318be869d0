// Must not compile: delivery knows messages, not use cases.
#include "app/context.hpp"
