#!/usr/bin/env sh
# Installs what the test suite runs for real when it is missing: OTP 25
# (erlang-nox: erl, escript) and PostgreSQL's server (initdb, pg_ctl).
# Runs before `npm test` (the `pretest` script). Installs only as root with
# apt-get; elsewhere it names what is missing, and the tests that need it fail.
set -u
need=""
command -v erl >/dev/null 2>&1 || need="$need erlang-nox"
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ -z "${TERMSTORE_PG_BIN:-}" ]; then
  need="$need postgresql"
fi
[ -z "$need" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "test-deps: installing$need" >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null && exit 0
  echo "test-deps: could not install$need; the tests that need them will fail" >&2
else
  echo "test-deps: missing$need (install them: apt-get install -y$need); the tests that need them will fail" >&2
fi
exit 0
