#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "mail/mailer.hpp"

namespace convene::mail {
namespace {

class SpoolMailer final : public Mailer {
 public:
  explicit SpoolMailer(std::string directory) : directory_(std::move(directory)) {}

  Delivery deliver(std::string_view id, const Address&, const Address&, const std::string& mime) override {
    std::error_code ignored;
    std::filesystem::create_directories(directory_, ignored);
    static std::atomic<unsigned> counter{0};
    const std::string final_path = directory_ + "/" + std::string(id) + ".eml";
    const std::string temp_path = directory_ + "/.tmp-" + std::string(id) + "-" + std::to_string(getpid()) + "-" +
                                  std::to_string(counter++);
    const int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) return failure("cannot create " + temp_path);
    std::size_t written = 0;
    while (written < mime.size()) {
      const ssize_t n = ::write(fd, mime.data() + written, mime.size() - written);
      if (n < 0) {
        if (errno == EINTR) continue;
        const Delivery result = failure("cannot write " + temp_path);
        ::close(fd);
        ::unlink(temp_path.c_str());
        return result;
      }
      written += static_cast<std::size_t>(n);
    }
    // The message is on disk before it is visible under its name, and visible whole or not at all.
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
      const Delivery result = failure("cannot flush " + temp_path);
      ::unlink(temp_path.c_str());
      return result;
    }
    if (::rename(temp_path.c_str(), final_path.c_str()) != 0) {
      const Delivery result = failure("cannot rename to " + final_path);
      ::unlink(temp_path.c_str());
      return result;
    }
    return {Delivery::delivered, final_path};
  }

  std::string describe() const override { return "spool folder " + directory_; }

 private:
  static Delivery failure(const std::string& what) {
    return {Delivery::retry_later, what + ": " + std::strerror(errno)};  // disk full, read-only: retried
  }
  std::string directory_;
};

}  // namespace

std::unique_ptr<Mailer> spool_mailer(std::string directory) {
  return std::make_unique<SpoolMailer>(std::move(directory));
}

}  // namespace convene::mail
