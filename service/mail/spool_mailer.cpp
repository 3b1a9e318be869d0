#include <fcntl.h>
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

  void deliver(const std::vector<Envelope>& envelopes, const DeliveryReport& report,
               const std::function<bool()>&) override {
    const auto results = deliver_all(envelopes);
    std::vector<std::pair<std::size_t, Delivery>> outcomes;
    for (std::size_t i = 0; i < results.size(); ++i) outcomes.emplace_back(i, results[i]);
    report(outcomes);
  }

  std::string describe() const override { return "spool folder " + directory_; }

 private:
  std::vector<Delivery> deliver_all(const std::vector<Envelope>& envelopes) {
    std::vector<Delivery> results(envelopes.size(), Delivery{Delivery::retry_later, ""});
    std::error_code ignored;
    std::filesystem::create_directories(directory_, ignored);
    const int folder = ::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (folder < 0) return failed_all(results, "cannot open " + directory_ + ": " + std::strerror(errno));

    // 1. Every message into a temporary file of its own (invisible to readers of *.eml).
    static std::atomic<unsigned> counter{0};
    std::vector<std::string> temporary(envelopes.size());
    for (std::size_t i = 0; i < envelopes.size(); ++i) {
      temporary[i] = directory_ + "/.tmp-" + envelopes[i].id + "-" + std::to_string(getpid()) + "-" +
                     std::to_string(counter++);
      if (!write_file(temporary[i], envelopes[i].mime)) {
        results[i].detail = "cannot write " + temporary[i] + ": " + std::strerror(errno);  // disk full, read-only
        ::unlink(temporary[i].c_str());
        temporary[i].clear();
      }
    }
    // 2. One sync makes the batch's contents durable before any file appears under its name.
    if (::syncfs(folder) != 0) {
      const std::string why = "cannot sync " + directory_ + ": " + std::strerror(errno);
      for (const auto& path : temporary) {
        if (!path.empty()) ::unlink(path.c_str());
      }
      ::close(folder);
      return failed_all(results, why);
    }
    // 3. Renames publish each message whole; a message delivered again replaces its own file.
    for (std::size_t i = 0; i < envelopes.size(); ++i) {
      if (temporary[i].empty()) continue;
      const std::string final_path = directory_ + "/" + envelopes[i].id + ".eml";
      if (::rename(temporary[i].c_str(), final_path.c_str()) == 0) {
        results[i] = {Delivery::delivered, final_path};
      } else {
        results[i].detail = "cannot rename to " + final_path + ": " + std::strerror(errno);
        ::unlink(temporary[i].c_str());
      }
    }
    // 4. And the folder, so that the names survive a crash before anything is marked sent.
    if (::fsync(folder) != 0) {
      const std::string why = "cannot sync " + directory_ + ": " + std::strerror(errno);
      for (auto& result : results) result = {Delivery::retry_later, why};
    }
    ::close(folder);
    return results;
  }

  static bool write_file(const std::string& path, const std::string& text) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) return false;
    std::size_t written = 0;
    while (written < text.size()) {
      const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const int saved = errno;
        ::close(fd);
        errno = saved;
        return false;
      }
      written += static_cast<std::size_t>(n);
    }
    return ::close(fd) == 0;
  }

  static std::vector<Delivery> failed_all(std::vector<Delivery>& results, const std::string& why) {
    for (auto& result : results) result = {Delivery::retry_later, why};
    return results;
  }

  std::string directory_;
};

}  // namespace

std::unique_ptr<Mailer> spool_mailer(std::string directory) {
  return std::make_unique<SpoolMailer>(std::move(directory));
}

}  // namespace convene::mail
