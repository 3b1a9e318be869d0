// Compiles: each layer may use those below it (the control for the other probes, which fail only
// because of the include they try).
#include "app/events.hpp"
#include "http/request.hpp"
