// Delivery of rendered messages: SMTP (through libcurl) or a spool folder of .eml files.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "convene/mail.hpp"

namespace convene::mail {

struct Delivery {
  enum Outcome { delivered, retry_later, rejected } outcome;
  std::string detail;  // the server's answer or the error, for outbox.last_error
};

class Mailer {
 public:
  virtual ~Mailer() = default;
  // `id` names the message (the outbox row): the spool names its file after it, so a message
  // delivered twice overwrites itself.
  virtual Delivery deliver(std::string_view id, const Address& from, const Address& to, const std::string& mime) = 0;
  virtual std::string describe() const = 0;
};

// Writes <SPOOL_DIR>/<id>.eml atomically: a temporary file in the same folder, fsync, rename.
std::unique_ptr<Mailer> spool_mailer(std::string directory);

// smtp://[user:password@]host[:port] (STARTTLS when the server offers it) or smtps:// (TLS from the
// start). Answers 5xx are permanent (rejected); connection trouble and 4xx are worth retrying.
std::unique_ptr<Mailer> smtp_mailer(std::string url);

}  // namespace convene::mail
