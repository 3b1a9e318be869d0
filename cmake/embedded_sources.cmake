# The files compiled into the binary, generated into ${CMAKE_BINARY_DIR}/generated/: message
# catalogues, web pages, the OpenAPI document (cmake/embed_files.cmake) and the SQL migrations
# (cmake/embed_sql.cmake). Shared by the main build and fuzz/; CONVENE_REPO is the repository root.
set(CONVENE_GENERATED ${CMAKE_BINARY_DIR}/generated)

# Message catalogues (i18n/), for e-mails and the API's texts.
file(GLOB CONVENE_CATALOGUES CONFIGURE_DEPENDS ${CONVENE_REPO}/i18n/*.json)
add_custom_command(
  OUTPUT ${CONVENE_GENERATED}/catalogues_embedded.cpp
  COMMAND ${CMAKE_COMMAND} -DBASE_DIR=${CONVENE_REPO}/i18n -DGLOBS=*.json -DSYMBOL=embedded_catalogues
          -DOUTPUT=${CONVENE_GENERATED}/catalogues_embedded.cpp -P ${CONVENE_REPO}/cmake/embed_files.cmake
  DEPENDS ${CONVENE_CATALOGUES} ${CONVENE_REPO}/cmake/embed_files.cmake
  COMMENT "Embedding message catalogues")

# Web pages: templates, static files and page texts.
file(GLOB_RECURSE CONVENE_WEB_FILES CONFIGURE_DEPENDS ${CONVENE_REPO}/web/*)
add_custom_command(
  OUTPUT ${CONVENE_GENERATED}/web_embedded.cpp
  COMMAND ${CMAKE_COMMAND} -DBASE_DIR=${CONVENE_REPO}/web "-DGLOBS=*.html\;*.css\;*.js\;*.json\;*.svg\;*.txt"
          -DSYMBOL=embedded_web -DOUTPUT=${CONVENE_GENERATED}/web_embedded.cpp
          -P ${CONVENE_REPO}/cmake/embed_files.cmake
  DEPENDS ${CONVENE_WEB_FILES} ${CONVENE_REPO}/cmake/embed_files.cmake
  COMMENT "Embedding web pages")

# The OpenAPI document of the HTTP API, served at /api/openapi.json.
add_custom_command(
  OUTPUT ${CONVENE_GENERATED}/api_embedded.cpp
  COMMAND ${CMAKE_COMMAND} -DBASE_DIR=${CONVENE_REPO}/api -DGLOBS=*.json -DSYMBOL=embedded_api
          -DOUTPUT=${CONVENE_GENERATED}/api_embedded.cpp -P ${CONVENE_REPO}/cmake/embed_files.cmake
  DEPENDS ${CONVENE_REPO}/api/openapi.json ${CONVENE_REPO}/cmake/embed_files.cmake
  COMMENT "Embedding the OpenAPI document")

# SQL migrations (sql/), applied by `convene migrate` and at `serve` start.
file(GLOB CONVENE_MIGRATIONS CONFIGURE_DEPENDS ${CONVENE_REPO}/sql/[0-9][0-9][0-9]_*.sql)
add_custom_command(
  OUTPUT ${CONVENE_GENERATED}/migrations_embedded.cpp
  COMMAND ${CMAKE_COMMAND} -DSQL_DIR=${CONVENE_REPO}/sql -DOUTPUT=${CONVENE_GENERATED}/migrations_embedded.cpp
          -P ${CONVENE_REPO}/cmake/embed_sql.cmake
  DEPENDS ${CONVENE_MIGRATIONS} ${CONVENE_REPO}/cmake/embed_sql.cmake
  COMMENT "Embedding SQL migrations")
