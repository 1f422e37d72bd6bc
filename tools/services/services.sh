#!/usr/bin/env bash
# Start or stop the services CivicGraph uses at scale, on loopback, without systemd.
#
#   tools/services/services.sh start [dev|test]   # install what is missing, start, wait
#   tools/services/services.sh stop
#   tools/services/services.sh neo4j-import DIR [NAME PORT]  # first load: see below
#
# "test" (what .ci/run uses) starts PostgreSQL, Redis, Mosquitto and a throw-away Neo4j on
# port 7688 that the tests may wipe. "dev" (make services) adds a Neo4j on 7687 whose files
# persist under var/services/neo4j-dev, for `CIVIC_GRAPH_URL=neo4j://127.0.0.1:7687`.
# "neo4j-import DIR" stops that Neo4j (or the one NAME on PORT, under var/services/neo4j-NAME),
# replaces its graph with the files `civicgraph seed --export-neo4j DIR` wrote (Neo4j's offline
# importer) and starts it again; then `civicgraph seed --imported DIR` seeds the records.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
STATE="$ROOT/var/services"
NEO4J_DIR="$ROOT/tools/neo4j"
PG_USER=civic PG_PASSWORD=civic
mkdir -p "$STATE"

say() { printf '%s\n' "services: $*"; }
die() { printf '%s\n' "services: $*" >&2; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

wait_for() {  # NAME SECONDS COMMAND...
  local name=$1 seconds=$2; shift 2
  for _ in $(seq "$seconds"); do
    if "$@" >/dev/null 2>&1; then say "$name is up"; return 0; fi
    sleep 1
  done
  die "$name did not answer within ${seconds}s"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

install_packages() {
  local missing=()
  command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v mosquitto >/dev/null || missing+=(mosquitto)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]} from Debian's packages"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  command -v java >/dev/null || die "Neo4j needs Java 17 (java not found)"
  command -v mvn >/dev/null || die "the Neo4j launcher is built with Maven (mvn not found)"
}

pg_version() { ls /etc/postgresql | sort -n | tail -1; }

start_postgres() {
  local version; version=$(pg_version)
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
  wait_for PostgreSQL 30 pg_isready -q -h 127.0.0.1 -p 5432
  as_root runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 <<SQL >/dev/null
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN
    CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD' CREATEDB;
  END IF;
END \$\$;
SQL
  for db in civic civic_test; do
    if ! as_root runuser -u postgres -- psql -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1; then
      as_root runuser -u postgres -- createdb -O "$PG_USER" "$db"
    fi
  done
}

start_redis() {
  port_open 6379 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" \
    --appendonly no --pidfile "$STATE/redis.pid" --logfile "$STATE/redis.log"
  wait_for Redis 30 redis-cli -h 127.0.0.1 -p 6379 ping
}

start_mosquitto() {
  cat > "$STATE/mosquitto.conf" <<CONF
listener 1883 127.0.0.1
allow_anonymous true
persistence false
log_dest file $STATE/mosquitto.log
CONF
  chmod a+rwx "$STATE" 2>/dev/null || true
  port_open 1883 || mosquitto -d -c "$STATE/mosquitto.conf"
  wait_for Mosquitto 30 port_open 1883
}

build_neo4j() {
  local stamp="$NEO4J_DIR/target/.built"
  if [ ! -f "$stamp" ] || [ "$NEO4J_DIR/pom.xml" -nt "$stamp" ] \
     || [ -n "$(find "$NEO4J_DIR/src" -newer "$stamp" -print -quit)" ]; then
    say "building the Neo4j launcher with Maven (cached in ~/.m2 after the first time)"
    (cd "$NEO4J_DIR" && mvn -q -B package -DskipTests) || die "building tools/neo4j failed"
    touch "$stamp"
  fi
}

start_neo4j() {  # NAME PORT HOME HEAP
  local name=$1 port=$2 home=$3 heap=$4
  if port_open "$port"; then say "neo4j-$name already answers on $port"; return 0; fi
  mkdir -p "$home"
  nohup java "-Xmx$heap" -cp "$NEO4J_DIR/target/classes:$NEO4J_DIR/target/lib/*" \
    org.civicgraph.neo4j.Launcher "$home" "$port" > "$STATE/neo4j-$name.log" 2>&1 &
  echo $! > "$STATE/neo4j-$name.pid"
  wait_for "Neo4j ($name, bolt 127.0.0.1:$port)" 120 port_open "$port"
}

stop_pidfile() {  # NAME FILE
  local pid
  [ -f "$2" ] || return 0
  pid=$(cat "$2")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    say "$1 stopped"
  fi
  rm -f "$2"
}

start() {
  local profile=${1:-dev}
  case "$profile" in dev|test) ;; *) die "unknown profile '$profile' (dev or test)";; esac
  install_packages
  build_neo4j
  start_postgres
  start_redis
  start_mosquitto
  rm -rf "$STATE/neo4j-test"  # the test graph starts empty every time
  start_neo4j test 7688 "$STATE/neo4j-test" 1g
  if [ "$profile" = dev ]; then start_neo4j dev 7687 "$STATE/neo4j-dev" 2g; fi
  cat <<ENV
services: ready. For the server at scale:
  export CIVIC_GRAPH_URL=neo4j://127.0.0.1:7687 CIVIC_DB_URL=postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:5432/civic
  export CIVIC_BUS_URL=redis://127.0.0.1:6379/0 CIVIC_MQTT_URL=mqtt://127.0.0.1:1883
ENV
}

import_neo4j() {  # DIR [NAME PORT]
  local dir=${1:-} name=${2:-dev} port=${3:-7687} home graph log
  [ -n "$dir" ] && [ -f "$dir/graph/import.args" ] \
    || die "no ${dir:-DIR}/graph/import.args: run civicgraph seed --export-neo4j DIR first"
  graph="$(cd "$dir/graph" && pwd)"
  home="$STATE/neo4j-$name"
  log="$STATE/neo4j-$name-import.log"
  build_neo4j
  stop_pidfile "neo4j-$name" "$STATE/neo4j-$name.pid"
  port_open "$port" && die "something still answers on $port: stop that Neo4j first"
  mkdir -p "$home/conf"
  touch "$home/conf/neo4j.conf"
  say "importing $dir into neo4j-$name (the graph there is replaced)"
  # in the files' folder: import.args names them relative to it
  if ! (cd "$graph" && NEO4J_HOME="$home" NEO4J_CONF="$home/conf" \
        java -cp "$NEO4J_DIR/target/classes:$NEO4J_DIR/target/lib/*" \
        org.neo4j.cli.AdminTool database import full neo4j --overwrite-destination \
        --report-file="$STATE/neo4j-$name-import.report" @import.args) > "$log" 2>&1; then
    tail -20 "$log" >&2
    start_neo4j "$name" "$port" "$home" 2g  # the one stopped above, with what it holds
    die "the import failed (log: $log); neo4j-$name runs again"
  fi
  grep -A4 "IMPORT DONE" "$log" | sed 's/^/services: /'
  start_neo4j "$name" "$port" "$home" 2g
}

stop() {
  stop_pidfile "neo4j-dev" "$STATE/neo4j-dev.pid"
  stop_pidfile "neo4j-test" "$STATE/neo4j-test.pid"
  # a launcher started from another checkout has its pid file there
  if pkill -f "org.civicgraph.neo4j.Launcher"; then
    for _ in $(seq 60); do pgrep -f org.civicgraph.neo4j.Launcher >/dev/null || break; sleep 1; done
    say "other Neo4j launchers stopped"
  fi
  if port_open 6379; then redis-cli -h 127.0.0.1 -p 6379 shutdown nosave >/dev/null 2>&1 || true; say "Redis stopped"; fi
  if pkill -f "mosquitto -d -c .*/var/services/mosquitto.conf"; then say "Mosquitto stopped"; fi
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    as_root pg_ctlcluster --skip-systemctl-redirect "$(pg_version)" main stop 2>/dev/null && say "PostgreSQL stopped" || true
  fi
}

case "${1:-}" in
  start) start "${2:-dev}" ;;
  stop) stop ;;
  neo4j-import) shift; import_neo4j "$@" ;;
  *) die "usage: $0 start [dev|test] | stop | neo4j-import DIR [NAME PORT]" ;;
esac
