// Integration test support: a fresh database per suite, the real convene binary as a child
// process, and an HTTP client with JSON helpers.
#pragma once

#include <sys/types.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>
#include <vector>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

namespace convene::testing {

// A database name as a template argument: the fixtures (support/service_suite.hpp,
// support/store_suite.hpp) are keyed by the database of their suite.
template <std::size_t N>
struct DatabaseName {
  constexpr DatabaseName(const char (&text)[N]) { std::copy_n(text, N, name); }
  char name[N];
};

// The server the test command started (CONVENE_TEST_DATABASE_URL); tests create databases in it.
std::string admin_database_url();
// `url` with its database name replaced (URI or key=value form).
std::string with_database(const std::string& url, const std::string& name);
// Drops and creates database `name`; returns its URL.
std::string fresh_database(const std::string& name);
// The embedded cluster's control script, or nullopt when the tests run against an external server.
std::optional<std::string> pg_control();
// Runs `deploy/pg.sh ARG` (start/stop); throws when it fails.
void control_postgres(const std::string& action);

// `convene ARGS...` run to completion; returns its exit status, what it printed on stdout (`out`)
// and, apart, what it printed on stderr (`err`: the reason, when it fails).
struct CommandResult {
  int status;
  std::string out;
  std::string err = {};
  // Status, stdout and stderr in one text, for a failing assertion's message.
  std::string transcript() const;
};
CommandResult run_convene(const std::vector<std::string>& args, const std::map<std::string, std::string>& env);
// Any program (argv[0] a path), the same way.
CommandResult run_program(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env);

// `convene serve` on a free port, stopped (SIGTERM, then SIGKILL) when destroyed.
class ServerProcess {
 public:
  explicit ServerProcess(std::map<std::string, std::string> env, std::vector<std::string> extra_args = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Sends a signal and waits for the process to end; returns its exit status (or 128+signal).
  int stop(int signal_number, std::chrono::seconds patience = std::chrono::seconds(30));
  const std::string& log_path() const { return log_path_; }
  std::string log() const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_path_;
};

struct Reply {
  int status = 0;
  std::string body;
  httplib::Headers headers;
  mutable std::optional<nlohmann::json> parsed = {};
  // The parsed body (throws if not JSON). A reference into the reply, so that
  // `for (auto& item : reply.json()["items"])` does not loop over a destroyed temporary.
  const nlohmann::json& json() const;
  std::string header(const std::string& name) const;
};

class Client {
 public:
  explicit Client(int port);
  Reply get(const std::string& path, const httplib::Headers& headers = {});
  Reply post(const std::string& path, const nlohmann::json& body, const httplib::Headers& headers = {});
  Reply patch(const std::string& path, const nlohmann::json& body, const httplib::Headers& headers = {});
  Reply del(const std::string& path, const httplib::Headers& headers = {});
  // Raw request: any method, any body, any content type.
  Reply send(const std::string& method, const std::string& path, const std::string& body,
             const std::string& content_type, const httplib::Headers& headers = {});

 private:
  std::unique_ptr<httplib::Client> client_;
};

// A whole service for one suite: its own database, migrated, seeded, and a server on it.
class Service {
 public:
  explicit Service(const std::string& database_name, std::map<std::string, std::string> extra_env = {});
  const std::string& database_url() const { return database_url_; }
  ServerProcess& server() { return *server_; }
  Client client() { return Client(server_->port()); }
  std::map<std::string, std::string> env() const;
  // Restarts the server process (same database), with these arguments after `serve`: for example
  // {"--no-worker"} for a process in which nothing but the requests under test moves.
  void restart(const std::vector<std::string>& serve_args = {});
  // An organiser token with rights on every event.
  std::string admin_token();
  // `convene organiser add --email EMAIL SCOPE...` (SCOPE: --all, or --event SLUG); the new token.
  std::string add_organiser(const std::string& email, const std::vector<std::string>& scope);
  pqxx::connection connect() { return pqxx::connection(database_url_); }

 private:
  std::string database_url_;
  std::map<std::string, std::string> extra_env_;
  std::unique_ptr<ServerProcess> server_;
  std::optional<std::string> admin_token_;
};

// The real SMTP server of tests/mail/smtp_server.py (aiosmtpd) on a free loopback port; every
// accepted message becomes a file in maildir(). stop() and start() simulate an outage.
class SmtpServer {
 public:
  // Recipients matching `reject_pattern` get 550; `delay` seconds pass before each message's DATA.
  explicit SmtpServer(std::string reject_pattern = "", double delay = 0);
  ~SmtpServer();
  int port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  const std::string& maildir() const { return maildir_; }
  void stop();
  void start();
  // Paths of the messages received so far, in order.
  std::vector<std::string> messages() const;

 private:
  int port_ = 0;
  pid_t pid_ = -1;
  std::string maildir_;
  std::string reject_;
  double delay_;
};

// `convene worker` as a child process.
class WorkerProcess {
 public:
  explicit WorkerProcess(std::map<std::string, std::string> env);
  ~WorkerProcess();
  int stop(int signal_number);
  std::string log() const;

 private:
  pid_t pid_ = -1;
  std::string log_path_;
};

// nginx from deploy/nginx/convene.conf.template, in front of the given convene ports.
class NginxProcess {
 public:
  explicit NginxProcess(const std::vector<int>& upstream_ports);
  ~NginxProcess();
  int port() const { return port_; }
  std::string error_log() const;

 private:
  int port_ = 0;
  pid_t pid_ = -1;
  std::string prefix_;
};

// What tests/mail/inspect_mail.py reads in these message files (one JSON object each).
nlohmann::json inspect_mail(const std::vector<std::string>& files);

// The .eml files of a directory (none if it does not exist yet), oldest first: the spool names each
// after its outbox row and the test SMTP server after its arrival count, so shorter names are older.
std::vector<std::string> message_files(const std::string& directory);

// Polls `condition` every 100 ms until it holds or `patience` runs out; returns whether it held.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds patience);

// A process as /proc/PID/status shows it: a field's number (VmRSS in KiB, Threads), -1 if absent.
long proc_status_field(pid_t pid, const std::string& field);
inline long rss_kib(pid_t pid) { return proc_status_field(pid, "VmRSS"); }
inline long thread_count(pid_t pid) { return proc_status_field(pid, "Threads"); }

// A free TCP port on loopback (bound, then released).
int free_port();

// --- Raw sockets, for clients that misbehave ---------------------------------------------------

// A TCP connection to loopback:`port` with 5 s send and receive timeouts; -1 if it cannot connect.
int connect_raw(int port);
bool send_all(int fd, std::string_view text);
// close() that sends RST instead of FIN (and leaves no TIME_WAIT behind).
void close_with_reset(int fd);
// Raises this process's soft limit of open files to its hard limit (tests that open thousands of
// connections); returns the limit now in force.
long raise_open_file_limit();
// File descriptors a process holds, and how many of them are sockets (listening one and database
// connections included).
int open_fds(pid_t pid);
int open_sockets(pid_t pid);

// A unique e-mail address for a test.
std::string unique_email(const std::string& tag);

// The bodies of the requests tests make most (for the API over HTTP and for the use cases alike).
// An event: `slug`, title "Event <slug>", in UTC, `capacity` seats, open for registration until an
// organiser closes it; `more` adds fields or replaces these.
nlohmann::json event_body(const std::string& slug, int capacity, const nlohmann::json& more = nlohmann::json::object());
// Sum of a Prometheus series in `text` (a /metrics page) over the series whose labels contain every
// one of `labels` (all of them when none is given).
double metric_sum(const std::string& text, const std::string& name, const std::vector<std::string>& labels = {});

// A registrant: a unique address made from `tag`, the name "Registrant <tag>", consent given; `more`
// adds fields or replaces these.
nlohmann::json registrant(const std::string& tag, const nlohmann::json& more = nlohmann::json::object());

// Bearer header for an organiser token.
httplib::Headers bearer(const std::string& token);

}  // namespace convene::testing
