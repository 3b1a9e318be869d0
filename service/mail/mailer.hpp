// Delivery of rendered messages: SMTP (through libcurl) or a spool folder of .eml files.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "convene/mail.hpp"

namespace convene::mail {

struct Delivery {
  enum Outcome { delivered, retry_later, rejected } outcome;
  std::string detail;  // the server's answer or the error, for outbox.last_error
};

struct Envelope {
  std::string id;  // names the message (the outbox row): the spool names its file after it, so a
                   // message delivered twice overwrites itself
  Address from;
  Address to;
  std::string mime;
};

// Outcomes as soon as they are known: (index into the envelopes, what happened).
using DeliveryReport = std::function<void(const std::vector<std::pair<std::size_t, Delivery>>&)>;

// Threads: one mailer serves every delivery loop of a process; deliver may be called from several
// threads at once (each call has its own connection or files; nothing else is shared).
class Mailer {
 public:
  virtual ~Mailer() = default;
  // Delivers each message and reports outcomes as soon as they are final, so that the caller can
  // record them before going on: the spool reports the whole batch after one sync (a rewritten
  // file is no duplicate), SMTP reports each message as the server accepts it, over one connection
  // (so a crash can duplicate at most the message in hand).
  // `keep_going` is asked before each message that takes a while (SMTP): when it says no, the rest
  // are left unreported, and the caller gives them back.
  virtual void deliver(const std::vector<Envelope>& envelopes, const DeliveryReport& report,
                       const std::function<bool()>& keep_going) = 0;
  virtual std::string describe() const = 0;
};

// Writes <SPOOL_DIR>/<id>.eml atomically: temporary files in the same folder, one sync of their file
// system for the whole batch (measured: a fifth of the cost of an fsync per file), renames, and a
// sync of the folder before anything is reported sent. Give SPOOL_DIR a file system of its own if
// the database shares the default one: the sync then flushes only messages.
std::unique_ptr<Mailer> spool_mailer(std::string directory);

// smtp://[user:password@]host[:port] (STARTTLS when the server offers it) or smtps:// (TLS from the
// start). Answers 5xx are permanent (rejected); connection trouble and 4xx are worth retrying.
std::unique_ptr<Mailer> smtp_mailer(std::string url);

}  // namespace convene::mail
