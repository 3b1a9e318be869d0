#include "app/context.hpp"

namespace convene::app {

Instant system_now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace convene::app
