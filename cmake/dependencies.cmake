# The libraries convene builds against (Debian 12 packages), shared by the main build and fuzz/.
find_package(Threads REQUIRED)
find_package(date REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(CURL REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)  # the store parses DATABASE_URL with libpq itself
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
