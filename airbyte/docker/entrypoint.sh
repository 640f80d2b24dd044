#!/bin/sh
# Entrypoint of the Airbyte image: one image, two connectors. AIRBYTE_CONNECTOR picks the program
# (set at build time by --build-arg CONNECTOR=..., overridable with `docker run -e AIRBYTE_CONNECTOR=...`):
#   source      → tap-pennylane   (spec | check | discover | read)
#   destination → target-postgres (spec | check | write)
# Every argument is passed on unchanged, so the Singer flags work too (`--config c.json --discover`).
set -eu
# APP_DIR: where the programs are (the image keeps them in /app; tests point it at a stand-in).
app="${APP_DIR:-/app}"
case "${AIRBYTE_CONNECTOR:-source}" in
  source | source-pennylane | tap-pennylane)
    exec node "$app/dist/tap-pennylane/src/cli.js" "$@" ;;
  destination | destination-postgres | target-postgres)
    exec node "$app/dist/target-postgres/src/cli.js" "$@" ;;
  *)
    echo "entrypoint: AIRBYTE_CONNECTOR must be source or destination, got '${AIRBYTE_CONNECTOR}'" >&2
    exit 2 ;;
esac
