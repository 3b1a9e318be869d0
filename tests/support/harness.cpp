#include "support/harness.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace convene::testing {
namespace {

std::vector<std::string> merged_environment(const std::map<std::string, std::string>& overrides) {
  std::map<std::string, std::string> all;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text(*entry);
    const auto eq = text.find('=');
    if (eq != std::string::npos) all[text.substr(0, eq)] = text.substr(eq + 1);
  }
  for (const auto& [key, value] : overrides) all[key] = value;
  std::vector<std::string> out;
  for (const auto& [key, value] : all) out.push_back(key + "=" + value);
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// fork + exec with stdout (and stderr) sent to the given descriptors.
pid_t spawn(std::vector<std::string> argv, const std::map<std::string, std::string>& env, int out_fd, int err_fd) {
  auto environment = merged_environment(env);
  auto argv_c = c_strings(argv);
  auto env_c = c_strings(environment);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // A test process that dies (an abort, a sanitizer's report, ctest's timeout) takes its children
    // with it: an orphaned server would go on working on the next run's database of the same name,
    // taking its outbox rows and mailing them to a spool nobody reads.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the parent died before prctl
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    // Unblock signals a test runner may have blocked; the server installs its own handling.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(argv_c[0], argv_c.data(), env_c.data());
    _exit(127);
  }
  return pid;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string admin_database_url() {
  const char* url = std::getenv("CONVENE_TEST_DATABASE_URL");
  if (url == nullptr || *url == '\0')
    throw std::runtime_error("CONVENE_TEST_DATABASE_URL is not set: run the tests through deploy/test.sh");
  return url;
}

std::string with_database(const std::string& url, const std::string& name) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url + " dbname=" + name;  // key=value form
  const auto query = url.find('?', scheme + 3);
  const auto path = std::min(url.find('/', scheme + 3), query);  // where the authority ends
  return url.substr(0, path) + "/" + name + (query == std::string::npos ? "" : url.substr(query));
}

std::string fresh_database(const std::string& name) {
  pqxx::connection admin(admin_database_url());
  pqxx::nontransaction tx(admin);
  tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name) + " WITH (FORCE)");
  tx.exec("CREATE DATABASE " + tx.quote_name(name));
  return with_database(admin_database_url(), name);
}

std::optional<std::string> pg_control() {
  const char* script = std::getenv("CONVENE_TEST_PG_CONTROL");
  if (script == nullptr || *script == '\0') return std::nullopt;
  return std::string(script);
}

void control_postgres(const std::string& action) {
  auto script = pg_control();
  if (!script) throw std::runtime_error("no embedded PostgreSQL to control");
  const std::string command = "'" + *script + "' " + action + " >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("pg.sh " + action + " failed");
}

CommandResult run_convene(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv{CONVENE_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, env);
}

long proc_status_field(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

CommandResult run_program(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  // stderr goes to an unnamed temporary file, read once the program has ended: a second pipe would
  // need both read at once, lest a program that fills one blocks while we wait on the other.
  FILE* errors = std::tmpfile();
  if (errors == nullptr) throw std::runtime_error("tmpfile failed");
  const pid_t pid = spawn(argv, env, pipe_fds[1], fileno(errors));
  close(pipe_fds[1]);
  std::string out;
  char buffer[4096];
  ssize_t n;
  while ((n = read(pipe_fds[0], buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<std::size_t>(n));
  close(pipe_fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  std::string err;
  for (off_t at = 0; (n = pread(fileno(errors), buffer, sizeof buffer, at)) > 0; at += n)
    err.append(buffer, static_cast<std::size_t>(n));
  std::fclose(errors);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), out, err};
}

std::string CommandResult::transcript() const {
  return "exit status " + std::to_string(status) + "\n--- stdout:\n" + out + "\n--- stderr:\n" + err;
}

ServerProcess::ServerProcess(std::map<std::string, std::string> env, std::vector<std::string> extra_args) {
  static std::atomic<int> counter{0};
  log_path_ = "/tmp/convene-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + ".log";
  env["PORT"] = "0";
  env.emplace("HOST", "127.0.0.1");
  const int log_fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> argv{CONVENE_BINARY, "serve"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  pid_ = spawn(argv, env, log_fd, log_fd);
  close(log_fd);
  const std::regex listening(R"(listening on http://[^:]+:(\d+))");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch match;
    const std::string text = read_file(log_path_);
    if (std::regex_search(text, match, listening)) {
      port_ = std::stoi(match[1]);
      return;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("convene serve exited at start:\n" + text);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("convene serve did not start listening:\n" + read_file(log_path_));
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) stop(SIGTERM, std::chrono::seconds(10));
}

int ServerProcess::stop(int signal_number, std::chrono::seconds patience) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal_number);
  const auto deadline = std::chrono::steady_clock::now() + patience;
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string ServerProcess::log() const { return read_file(log_path_); }

const nlohmann::json& Reply::json() const {
  if (!parsed) parsed = nlohmann::json::parse(body);
  return *parsed;
}

std::string Reply::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

Client::Client(int port) : client_(std::make_unique<httplib::Client>("127.0.0.1", port)) {
  client_->set_connection_timeout(5, 0);
  client_->set_read_timeout(30, 0);
  client_->set_write_timeout(30, 0);
  client_->set_keep_alive(true);
}

namespace {
Reply to_reply(const httplib::Result& result) {
  if (!result) throw std::runtime_error("HTTP request failed: " + httplib::to_string(result.error()));
  return Reply{result->status, result->body, result->headers, std::nullopt};
}
}  // namespace

Reply Client::get(const std::string& path, const httplib::Headers& headers) {
  return to_reply(client_->Get(path, headers));
}

Reply Client::post(const std::string& path, const nlohmann::json& body, const httplib::Headers& headers) {
  return to_reply(client_->Post(path, headers, body.dump(), "application/json"));
}

Reply Client::patch(const std::string& path, const nlohmann::json& body, const httplib::Headers& headers) {
  return to_reply(client_->Patch(path, headers, body.dump(), "application/json"));
}

Reply Client::del(const std::string& path, const httplib::Headers& headers) {
  return to_reply(client_->Delete(path, headers));
}

Reply Client::send(const std::string& method, const std::string& path, const std::string& body,
                   const std::string& content_type, const httplib::Headers& headers) {
  httplib::Request request;
  request.method = method;
  request.path = path;
  request.headers = headers;
  request.body = body;
  if (!content_type.empty()) request.set_header("Content-Type", content_type);
  if (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT")
    request.set_header("Content-Length", std::to_string(body.size()));
  return to_reply(client_->send(request));
}

Service::Service(const std::string& database_name, std::map<std::string, std::string> extra_env)
    : database_url_(fresh_database(database_name)), extra_env_(std::move(extra_env)) {
  auto migrated = run_convene({"migrate"}, env());
  if (migrated.status != 0) throw std::runtime_error("convene migrate failed: " + migrated.transcript());
  auto seeded = run_convene({"seed", std::string(CONVENE_SOURCE_DIR) + "/seed/south-south-2021.json"}, env());
  if (seeded.status != 0) throw std::runtime_error("convene seed failed: " + seeded.transcript());
  server_ = std::make_unique<ServerProcess>(env());
}

std::map<std::string, std::string> Service::env() const {
  std::map<std::string, std::string> env = extra_env_;
  env["DATABASE_URL"] = database_url_;
  env.emplace("SPOOL_DIR", "/tmp/convene-test-spool-" + std::to_string(getpid()));
  env.emplace("DB_POOL_SIZE", "8");
  // Every test registers from 127.0.0.1, faster than any client would: the limits are off unless a
  // suite (RateLimits) turns them on with its own figures.
  env.emplace("RATE_LIMITS", "off");
  return env;
}

void Service::restart(const std::vector<std::string>& serve_args) {
  server_.reset();
  server_ = std::make_unique<ServerProcess>(env(), serve_args);
}

std::string Service::admin_token() {
  if (!admin_token_) admin_token_ = add_organiser("admin@example.org", {"--all"});
  return *admin_token_;
}

std::string Service::add_organiser(const std::string& email, const std::vector<std::string>& scope) {
  std::vector<std::string> args{"organiser", "add", "--email", email};
  args.insert(args.end(), scope.begin(), scope.end());
  auto result = run_convene(args, env());
  if (result.status != 0) throw std::runtime_error("organiser add failed: " + result.transcript());
  std::string out = result.out;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out.substr(out.rfind('\n') == std::string::npos ? 0 : out.rfind('\n') + 1);
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

int connect_raw(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void close_with_reset(int fd) {
  linger abort_on_close{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  ::close(fd);
}

long raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
  ::getrlimit(RLIMIT_NOFILE, &limit);
  return static_cast<long>(limit.rlim_cur);
}

int open_fds(pid_t pid) {
  int n = 0;
  std::error_code error;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error))
    ++n;
  return n;
}

int open_sockets(pid_t pid) {
  int n = 0;
  std::error_code error;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    std::error_code ignored;
    if (std::filesystem::read_symlink(it->path(), ignored).string().rfind("socket:", 0) == 0) ++n;
  }
  return n;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds patience) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return condition();
}

SmtpServer::SmtpServer(std::string reject_pattern, double delay) : reject_(std::move(reject_pattern)), delay_(delay) {
  static std::atomic<int> counter{0};
  maildir_ = "/tmp/convene-smtp-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
  std::filesystem::remove_all(maildir_);
  std::filesystem::create_directories(maildir_);
  port_ = free_port();
  start();
}

SmtpServer::~SmtpServer() {
  stop();
  std::filesystem::remove_all(maildir_);
}

void SmtpServer::start() {
  if (pid_ > 0) return;
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> argv{"/usr/bin/python3", std::string(CONVENE_SOURCE_DIR) + "/tests/mail/smtp_server.py",
                                "--port", std::to_string(port_), "--maildir", maildir_};
  if (!reject_.empty()) {
    argv.push_back("--reject");
    argv.push_back(reject_);
  }
  if (delay_ > 0) {
    argv.push_back("--delay");
    argv.push_back(std::to_string(delay_));
  }
  const int devnull = open("/dev/null", O_WRONLY);
  pid_ = spawn(argv, {}, pipe_fds[1], devnull);
  close(pipe_fds[1]);
  close(devnull);
  std::string out;
  char buffer[256];
  ssize_t n;
  while (out.find("READY") == std::string::npos && (n = read(pipe_fds[0], buffer, sizeof buffer)) > 0)
    out.append(buffer, static_cast<std::size_t>(n));
  close(pipe_fds[0]);
  if (out.find("READY") == std::string::npos) throw std::runtime_error("the test SMTP server did not start");
}

void SmtpServer::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::vector<std::string> message_files(const std::string& directory) {
  std::vector<std::string> files;
  if (!std::filesystem::exists(directory)) return files;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().extension() == ".eml") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  return files;
}

std::vector<std::string> SmtpServer::messages() const { return message_files(maildir_); }

NginxProcess::NginxProcess(const std::vector<int>& upstream_ports) {
  static std::atomic<int> counter{0};
  prefix_ = "/tmp/convene-nginx-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
  std::filesystem::remove_all(prefix_);
  std::filesystem::create_directories(prefix_);
  port_ = free_port();
  std::vector<std::string> argv{std::string(CONVENE_SOURCE_DIR) + "/deploy/nginx/render.sh", prefix_,
                                "127.0.0.1:" + std::to_string(port_)};
  for (int p : upstream_ports) argv.push_back("127.0.0.1:" + std::to_string(p));
  const auto rendered = run_program(argv, {{"NGINX_USER", geteuid() == 0 ? "root" : "nobody"}});
  if (rendered.status != 0) throw std::runtime_error("cannot render the nginx configuration: " + rendered.transcript());
  std::ofstream(prefix_ + "/nginx.conf") << rendered.out;
  const int devnull = open("/dev/null", O_WRONLY);
  pid_ = spawn({"/usr/sbin/nginx", "-p", prefix_, "-c", prefix_ + "/nginx.conf", "-g", "daemon off;"}, {}, devnull, devnull);
  close(devnull);
  const bool up = eventually(
      [&] {
        httplib::Client probe("127.0.0.1", port_);
        probe.set_connection_timeout(0, 200000);
        return static_cast<bool>(probe.Get("/healthz"));
      },
      std::chrono::seconds(10));
  if (!up) throw std::runtime_error("nginx did not start:\n" + error_log());
}

NginxProcess::~NginxProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGQUIT);  // graceful: finish requests in flight
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  std::filesystem::remove_all(prefix_);
}

std::string NginxProcess::error_log() const { return read_file(prefix_ + "/error.log"); }

WorkerProcess::WorkerProcess(std::map<std::string, std::string> env) {
  static std::atomic<int> counter{0};
  log_path_ = "/tmp/convene-worker-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + ".log";
  const int log_fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_ = spawn({CONVENE_BINARY, "worker"}, env, log_fd, log_fd);
  close(log_fd);
}

WorkerProcess::~WorkerProcess() { stop(SIGTERM); }

int WorkerProcess::stop(int signal_number) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal_number);
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string WorkerProcess::log() const { return read_file(log_path_); }

nlohmann::json inspect_mail(const std::vector<std::string>& files) {
  if (files.empty()) return nlohmann::json::array();
  std::vector<std::string> argv{"/usr/bin/python3", std::string(CONVENE_SOURCE_DIR) + "/tests/mail/inspect_mail.py"};
  argv.insert(argv.end(), files.begin(), files.end());
  const auto result = run_program(argv, {});
  if (result.status != 0) throw std::runtime_error("inspect_mail.py failed on " + files.front() + ": " + result.transcript());
  return nlohmann::json::parse(result.out);
}

std::string unique_email(const std::string& tag) {
  static std::atomic<int> counter{0};
  return tag + "." + std::to_string(getpid()) + "." + std::to_string(counter++) + "@example.org";
}

namespace {
nlohmann::json merged(nlohmann::json body, const nlohmann::json& more) {
  for (const auto& [key, value] : more.items()) body[key] = value;
  return body;
}
}  // namespace

nlohmann::json event_body(const std::string& slug, int capacity, const nlohmann::json& more) {
  return merged({{"slug", slug},
                 {"title", "Event " + slug},
                 {"timezone", "UTC"},
                 {"capacity", capacity},
                 {"registration_closes_at", nullptr}},
                more);
}

nlohmann::json registrant(const std::string& tag, const nlohmann::json& more) {
  return merged({{"email", unique_email(tag)}, {"name", "Registrant " + tag}, {"consent", true}}, more);
}

httplib::Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

double metric_sum(const std::string& text, const std::string& name, const std::vector<std::string>& labels) {
  double sum = 0;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(name + "{", 0) != 0 && line.rfind(name + " ", 0) != 0) continue;
    bool all = true;
    for (const auto& label : labels) all = all && line.find(label) != std::string::npos;
    if (all) sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

}  // namespace convene::testing
