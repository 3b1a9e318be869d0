// convene: one binary, several subcommands. See `convene --help`.
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "app/config.hpp"
#include "app/events.hpp"
#include "app/organisers.hpp"
#include "app/restore_floor.hpp"
#include "app/tz_refresh.hpp"
#include "app/worker.hpp"
#include "mail/mailer.hpp"
#include "http/server.hpp"
#include "store/listener.hpp"
#include "store/store.hpp"

namespace {

using namespace convene;

constexpr const char* kUsage = R"(convene: registration, time zones and calendar invites for virtual events.

Usage:
  convene serve [--no-worker]          HTTP server (applies pending migrations first), with the
                                       notification worker inside unless --no-worker
  convene worker                       the notification worker alone (any number may run)
  convene migrate                      apply pending database migrations and exit
  convene tz-refresh                   recompute future sessions' instants with this machine's tz
                                       database (also done by serve at start) and report moves
  convene restore-floor                after restoring the database (and before serving it): raise
                                       the floor added to every calendar SEQUENCE, so none goes
                                       below one already mailed; prints the old and new floor
  convene seed FILE...                 create the events described in FILE (JSON bodies of
                                       POST /api/v1/events) unless their slug exists
  convene organiser add --email E (--event SLUG | --all)
                                       create an organiser token; printed once, on the last line
  convene organiser revoke --email E   revoke every token of that address
  convene sql NAME                     print the SQL of a prepared statement (diagnostics, benchmarks)
  convene --help                       this text

Environment (defaults in brackets):
  DATABASE_URL  libpq URI of the database [postgresql:///convene]
  HOST          address to listen on [127.0.0.1]
  PORT          port to listen on [8080]
  BASE_URL      public URL used in links and invites [http://HOST:PORT]
  SMTP_URL      smtp:// or smtps:// URL of a mail server [unset: write .eml files to SPOOL_DIR]
  MAIL_FROM     sender of notifications [convene <noreply@localhost>]
  SPOOL_DIR     folder for .eml files when SMTP_URL is unset [spool]
  DB_POOL_SIZE  database connections per process [16]
  DB_DEADLINE_MS
                the longest one statement or commit may take before convene cancels it [6000]
  HTTP_THREADS  HTTP requests served at once [128]
  HTTP_IDLE_SECONDS, HTTP_REQUEST_SECONDS
                a keep-alive connection's idle time, a request's time to arrive whole [5, 10]
  HTTP_MAX_HEADERS, HTTP_MAX_HEADER_KIB
                header fields of a request, and their size with the request line [100, 32]
  WORKER_LEASE_SECONDS, WORKER_FIRST_RETRY_SECONDS, WORKER_MAX_ATTEMPTS, WORKER_POLL_MS,
  WORKER_PLAN_SECONDS, WORKER_THREADS, WORKER_BATCH
                notification worker tuning [120, 30, 8, 500, 10, 2, 50]; see README
  RATE_LIMITS   on or off: every limit below at once [on]
  LIMIT_REGISTRATIONS_PER_ADDRESS [600/min]   LIMIT_REGISTRATIONS_PER_EMAIL [5/10min]
  LIMIT_REGISTRATIONS_PER_DOMAIN [off]        LIMIT_TOKEN_MISSES_PER_ADDRESS [30/min]
  LIMIT_REQUESTS_PER_TOKEN [120/min]          each COUNT/PERIOD (s, min, h) or off
  TRUSTED_PROXIES  addresses or CIDR blocks whose X-Forwarded-For names the client [none]
)";

struct Arguments {
  std::vector<std::string> words;
  bool has(const std::string& flag) const {
    for (const auto& w : words) {
      if (w == flag) return true;
    }
    return false;
  }
  std::optional<std::string> value(const std::string& flag) const {
    for (std::size_t i = 0; i + 1 < words.size(); ++i) {
      if (words[i] == flag) return words[i + 1];
    }
    return std::nullopt;
  }
};

store::PoolOptions pool_options(const app::Config& config) {
  store::PoolOptions options;
  options.url = config.database_url;
  options.size = config.db_pool_size;
  options.deadline = config.db_deadline;
  return options;
}

// Applies migrations, retrying for a while if the database is still starting.
void migrate_with_retry(store::Store& store, std::chrono::seconds patience) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (true) {
    try {
      for (const int version : store.migrate()) std::cerr << "applied migration " << version << "\n";
      store.verify_statements();
      return;
    } catch (const DatabaseUnavailable& e) {
      if (std::chrono::steady_clock::now() > deadline) throw;
      std::cerr << "waiting for the database: " << e.what() << "\n";
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
}

// WORKER_THREADS delivery loops, each a Worker of its own; stopped and joined when destroyed.
class Deliveries {
 public:
  Deliveries(app::Context& context, mail::Mailer& mailer, const app::Config& config) {
    for (int i = 0; i < config.worker_threads; ++i) {
      workers_.push_back(std::make_unique<app::Worker>(context, mailer, app::worker_options(config)));
      context.workers.push_back(&workers_.back()->counters());
    }
    for (auto& worker : workers_) loops_.emplace_back([w = worker.get()](std::stop_token stop) { w->run(stop); });
  }
  ~Deliveries() {
    for (auto& loop : loops_) loop.request_stop();
    loops_.clear();  // joins
  }

 private:
  std::vector<std::unique_ptr<app::Worker>> workers_;
  std::vector<std::jthread> loops_;
};

std::unique_ptr<mail::Mailer> mailer_for(const app::Config& config) {
  return config.smtp_url ? mail::smtp_mailer(*config.smtp_url) : mail::spool_mailer(config.spool_dir);
}

// Blocks SIGTERM and SIGINT in this thread and every thread it starts; returns the set to wait on.
sigset_t block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return signals;
}

// Every connection is a file descriptor, idle ones included, and the server holds thousands of them
// at no other cost: the soft limit (often 1,024) would refuse connections long before memory or
// threads run short. The hard limit is the administrator's (systemd's LimitNOFILE).
void raise_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) std::cerr << "cannot raise the open file limit: " << std::strerror(errno) << "\n";
  }
}

int worker(const app::Config& config) {
  sigset_t signals = block_stop_signals();
  store::Store store(pool_options(config));
  migrate_with_retry(store, std::chrono::seconds(30));
  app::Context context{store, config, app::system_now, CursorCodec(store.server_secret("cursor")),
                       app::TokenMinter(store.server_secret("tokens"))};
  auto mailer = mailer_for(config);
  Deliveries deliveries(context, *mailer, config);
  std::cerr << "convene worker delivering to " << mailer->describe() << " with " << config.worker_threads
            << " loop(s)\n";
  int received = 0;
  sigwait(&signals, &received);
  std::cerr << "received signal " << received << ": finishing the messages in hand\n";
  return 0;  // ~Deliveries stops the loops: each finishes its batch and gives back what it claimed
}

int serve(const app::Config& given, bool with_worker) {
  // Mutable until the server serves: with PORT=0 and no BASE_URL, links name the port bound.
  app::Config config = given;
  raise_file_limit();
  // Signals go to one thread that stops the server; every other thread inherits the block.
  sigset_t signals = block_stop_signals();

  store::Store store(pool_options(config));
  migrate_with_retry(store, std::chrono::seconds(30));
  std::cerr << app::describe(app::refresh_session_instants(store, app::system_now()));
  app::Context context{store, config, app::system_now, CursorCodec(store.server_secret("cursor")),
                       app::TokenMinter(store.server_secret("tokens"))};

  // Changes made through this server drop its cached invites as soon as they commit; changes made
  // through any server (this one too) arrive from the listener and drop cached copies at once.
  store.on_registrations_changed([&context](const std::vector<std::int64_t>& ids) { context.invites.changed(ids); });
  store::ChangeListener listener(config.database_url,
                                 {[&context](const std::string& slug) { context.events.changed(slug); },
                                  [&context](std::int64_t id) { context.invites.changed({id}); },
                                  [&context](bool on) {
                                    context.events.listening(on);
                                    context.invites.listening(on);
                                  }});
  http::ServerOptions server_options;
  server_options.host = config.host;
  server_options.port = config.port;
  server_options.threads = config.http_threads;
  server_options.limits = config.http_limits;
  http::Server server(context, server_options);
  if (!server.bind()) {
    std::cerr << "cannot listen on " << config.host << ":" << config.port << ": " << std::strerror(errno) << "\n";
    return 1;
  }
  if (!config.base_url_given && config.port == 0)
    config.base_url = "http://" + config.host + ":" + std::to_string(server.port());
  std::thread signal_waiter([&] {
    int received = 0;
    sigwait(&signals, &received);
    std::cerr << "received signal " << received << ": finishing requests in flight\n";
    server.stop();
    // A second signal, or requests that do not finish in 30 s, end the process at once.
    std::thread([signals]() mutable {
      struct timespec patience{30, 0};
      // EINTR is no reason to give up: the process is merely being stopped and resumed (a debugger,
      // or LeakSanitizer inspecting the threads at exit).
      while (sigtimedwait(&signals, nullptr, &patience) == -1 && errno == EINTR) {
      }
      std::cerr << "forced exit\n";
      _exit(1);
    }).detach();
  });
  std::unique_ptr<mail::Mailer> mailer;
  std::optional<Deliveries> deliveries;
  if (with_worker) {
    mailer = mailer_for(config);
    deliveries.emplace(context, *mailer, config);
    std::cerr << "notifications delivered to " << mailer->describe() << "\n";
  }
  std::cerr << "convene listening on http://" << config.host << ":" << server.port() << " (" << config.base_url
            << ")\n";
  server.serve();
  signal_waiter.join();
  deliveries.reset();  // each loop finishes its batch in hand and gives back what it claimed
  std::cerr << "convene stopped\n";
  return 0;
}

int seed(const app::Config& config, const std::vector<std::string>& files) {
  store::Store store(pool_options(config));
  for (const auto& file : files) {
    std::ifstream in(file);
    if (!in) {
      std::cerr << "cannot read " << file << "\n";
      return 1;
    }
    std::stringstream text;
    text << in.rdbuf();
    const auto body = nlohmann::json::parse(text.str());
    const bool created = app::ensure_event(store, body);
    std::cout << (created ? "created " : "exists  ") << body.value("slug", "?") << "\n";
  }
  return 0;
}

int organiser(const app::Config& config, const Arguments& args) {
  store::Store store(pool_options(config));
  auto email = args.value("--email");
  if (args.words.size() >= 3 && args.words[1] == "add" && email) {
    auto event = args.value("--event");
    if (event.has_value() == args.has("--all")) {
      std::cerr << "give exactly one of --event SLUG or --all\n";
      return 2;
    }
    const std::string token = app::add_organiser(store, *email, event);
    std::cerr << "Organiser token for " << *email << (event ? " on " + *event : " on all events")
              << ". It is shown only now; keep it secret.\n";
    std::cout << token << std::endl;
    return 0;
  }
  if (args.words.size() >= 3 && args.words[1] == "revoke" && email) {
    std::cout << "revoked " << app::revoke_organiser(store, *email) << " token(s)\n";
    return 0;
  }
  std::cerr << kUsage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // glibc gives each thread that allocates its own arena (up to 8 per core); with one thread per
  // HTTP connection that is memory held for nothing. Two arenas serve this load as well.
  mallopt(M_ARENA_MAX, 2);
  Arguments args{std::vector<std::string>(argv + 1, argv + argc)};
  if (args.words.empty() || args.has("--help") || args.has("-h")) {
    std::cout << kUsage;
    return args.words.empty() ? 2 : 0;
  }
  try {
    const app::Config config = app::config_from_environment();
    const std::string& command = args.words[0];
    if (command == "serve") return serve(config, !args.has("--no-worker"));
    if (command == "worker") return worker(config);
    if (command == "migrate") {
      store::Store store(pool_options(config));
      migrate_with_retry(store, std::chrono::seconds(10));
      std::cout << "schema is current\n";
      return 0;
    }
    if (command == "restore-floor") {
      // The restored database may predate the floor's table: migrate first, as serve would.
      store::Store store(pool_options(config));
      migrate_with_retry(store, std::chrono::seconds(10));
      std::cout << app::describe(app::raise_sequence_floor(store, app::system_now()));
      return 0;
    }
    if (command == "tz-refresh") {
      store::Store store(pool_options(config));
      std::cout << app::describe(app::refresh_session_instants(store, app::system_now()));
      return 0;
    }
    if (command == "sql" && args.words.size() == 2) {
      auto sql = store::statement_sql(args.words[1]);
      if (!sql) {
        std::cerr << "no statement named " << args.words[1] << "\n";
        return 2;
      }
      std::cout << *sql << "\n";
      return 0;
    }
    if (command == "seed") return seed(config, std::vector<std::string>(args.words.begin() + 1, args.words.end()));
    if (command == "organiser") {
      Arguments rest{std::vector<std::string>(args.words.begin(), args.words.end())};
      return organiser(config, rest);
    }
    std::cerr << "unknown command '" << command << "'\n\n" << kUsage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "convene: " << e.what() << "\n";
    return 1;
  }
}
