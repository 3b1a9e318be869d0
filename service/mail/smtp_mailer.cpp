#include <curl/curl.h>

#include <cstring>
#include <mutex>

#include "mail/mailer.hpp"

namespace convene::mail {
namespace {

struct Upload {
  std::string_view data;
  std::size_t offset = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t n = std::min(size * count, upload->data.size() - upload->offset);
  std::memcpy(buffer, upload->data.data() + upload->offset, n);
  upload->offset += n;
  return n;
}

class SmtpMailer final : public Mailer {
 public:
  explicit SmtpMailer(std::string url) : url_(std::move(url)) {
    static std::once_flag init;
    std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  void deliver(const std::vector<Envelope>& envelopes, const DeliveryReport& report,
               const std::function<bool()>& keep_going) override {
    // One handle for the batch: libcurl keeps the SMTP connection open between messages.
    CURL* curl = curl_easy_init();
    for (std::size_t i = 0; i < envelopes.size() && keep_going(); ++i) {
      const Delivery result = curl == nullptr ? Delivery{Delivery::retry_later, "libcurl could not start"}
                                              : deliver_one(curl, envelopes[i].from, envelopes[i].to, envelopes[i].mime);
      report({{i, result}});
    }
    if (curl != nullptr) curl_easy_cleanup(curl);
  }

  Delivery deliver_one(CURL* curl, const Address& from, const Address& to, const std::string& mime) {
    curl_easy_reset(curl);
    Upload upload{mime};
    const std::string sender = "<" + from.email + ">";
    const std::string recipient = "<" + to.email + ">";
    curl_slist* recipients = curl_slist_append(nullptr, recipient.c_str());
    char error[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, sender.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(mime.size()));
    // STARTTLS whenever the server offers it on smtp://; smtps:// is TLS from the first byte.
    curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);  // well inside the worker's lease
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    const CURLcode code = curl_easy_perform(curl);
    long reply = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply);
    curl_slist_free_all(recipients);
    if (code == CURLE_OK) return {Delivery::delivered, "accepted (" + std::to_string(reply) + ")"};
    const std::string detail = std::string(curl_easy_strerror(code)) + (error[0] ? std::string(": ") + error : "") +
                               (reply ? " (SMTP " + std::to_string(reply) + ")" : "");
    // 5xx: the server refuses this message or recipient for good; anything else may pass later.
    if (reply >= 500 && reply < 600) return {Delivery::rejected, detail};
    return {Delivery::retry_later, detail};
  }

  std::string describe() const override {
    // The URL may hold a password: show scheme and host only.
    const std::size_t scheme = url_.find("://");
    std::string host = scheme == std::string::npos ? url_ : url_.substr(scheme + 3);
    if (const std::size_t at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
    return "SMTP " + (scheme == std::string::npos ? std::string() : url_.substr(0, scheme + 3)) + host;
  }

 private:
  std::string url_;
};

}  // namespace

std::unique_ptr<Mailer> smtp_mailer(std::string url) { return std::make_unique<SmtpMailer>(std::move(url)); }

}  // namespace convene::mail
