# Starts a throwaway PostgreSQL cluster for the team store tests (tests/pg_store.rs) and exports
# SICOL_TEST_PG_URL, the URL of its superuser. Source it: `source .ci/postgres.sh`; the cluster
# stops, and its folder goes, when the sourcing shell exits (it sets an EXIT trap).
#
# Installs PostgreSQL from the distribution's packages when no server binaries are found. The
# cluster listens on 127.0.0.1 and a private socket folder only, on a free port, with password
# (scram-sha-256) logins over TCP, so the tests exercise credentials as a real server would.

sicol_pg_bindir() {
  local candidate
  for candidate in "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")" \
      $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

sicol_pg_up() {
  local bindir
  if ! bindir=$(sicol_pg_bindir); then
    echo "== installing PostgreSQL from the distribution's packages"
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
    bindir=$(sicol_pg_bindir) || { echo "PostgreSQL could not be installed" >&2; return 1; }
  fi
  SICOL_PG_DIR=$(mktemp -d /tmp/sicol-pg.XXXXXX)
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 55432)
  local password
  password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  echo "$password" > "$SICOL_PG_DIR/pwfile"
  # initdb refuses to run as root: the cluster belongs to an unprivileged user.
  local run=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown -R postgres "$SICOL_PG_DIR"
    run=(runuser -u postgres --)
  fi
  "${run[@]}" "$bindir/initdb" -D "$SICOL_PG_DIR/data" -U sicol_admin --pwfile="$SICOL_PG_DIR/pwfile" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-locale >/dev/null
  "${run[@]}" "$bindir/pg_ctl" -D "$SICOL_PG_DIR/data" -l "$SICOL_PG_DIR/log" -w \
      -o "-p $port -k $SICOL_PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" start >/dev/null
  SICOL_PG_STOP=("${run[@]}" "$bindir/pg_ctl" -D "$SICOL_PG_DIR/data" -m immediate stop)
  trap 'sicol_pg_down' EXIT
  export SICOL_TEST_PG_URL="postgresql://sicol_admin:${password}@127.0.0.1:${port}/postgres?sslmode=disable"
  echo "== PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (throwaway, $SICOL_PG_DIR)"
}

sicol_pg_down() {
  if [ -n "${SICOL_PG_DIR:-}" ]; then
    "${SICOL_PG_STOP[@]}" >/dev/null 2>&1 || true
    rm -rf "$SICOL_PG_DIR"
    SICOL_PG_DIR=
  fi
}

sicol_pg_up
