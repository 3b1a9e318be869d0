// Must not compile: use cases answer in documents and problems, never in HTTP.
#include "http/request.hpp"
