#!/usr/bin/env bash
# Deploys the built EAR (gateway-ear/ear/target/cms.ear: gateway.war at "/", console.war at "/console") on full
# Payara Server and checks that it serves: MicroProfile Health at /health and /health/ready, /console/ (sign-in),
# and Swagger UI at /openapi/ui over /openapi.
# Payara Micro cannot deploy an EAR, so this is where the EAR itself is verified.
#
# Run it after the Maven build (it does not build): ./mvnw -B package -DskipTests && scripts/check-ear.sh
#
# What it does:
#   1. fetch fish.payara.distributions:payara:$PAYARA_VERSION:zip from Maven Central through ./mvnw and unzip it
#      once into $PAYARA_CACHE_DIR (reused by later runs; the distribution itself is never modified);
#   2. create a throw-away domain in a temp dir with a free --portbase (http = base+80, admin = base+48);
#   3. start it with CMS_DATA_DIR (a temp dir) and CMS_BASE_IMAGE in its environment, deploy the EAR;
#   4. poll /health and /health/ready until both answer 200 (timeout $HEALTH_TIMEOUT s), then check the console:
#      the sign-in page, and the admin (generated password in the data dir) signed in gets the console page;
#   5. always stop the domain and remove the temp dir (trap); print the server log tail on failure.
#
# Environment (all optional):
#   EAR               path of the EAR                 (default gateway-ear/ear/target/cms.ear)
#   PAYARA_VERSION    Payara Server version           (default 6.2025.9)
#   PAYARA_CACHE_DIR  where the unzipped server lives (default /tmp/cms-payara-server-$PAYARA_VERSION)
#   PORTBASE          asadmin --portbase              (default: first free of 28000, 29000, ... 33000)
#   HEALTH_TIMEOUT    seconds to wait for health      (default 180)
#   CMS_BASE_IMAGE    passed to the server            (default cms-base:bookworm)
#   CMS_DB_URL, CMS_DB_USER, CMS_DB_PASSWORD
#                     passed to the server: its records database (default: the embedded H2 under the data dir;
#                     .ci/run gives a fresh PostgreSQL database). With a jdbc:postgresql: URL the check also
#                     requires that the gateway kept its records there (its log line and the schema in that database).
#   KEEP_TMP=1        keep the temp domain/data dir for inspection
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

EAR="${EAR:-$ROOT/gateway-ear/ear/target/cms.ear}"
PAYARA_VERSION="${PAYARA_VERSION:-6.2025.9}"
PAYARA_CACHE_DIR="${PAYARA_CACHE_DIR:-/tmp/cms-payara-server-$PAYARA_VERSION}"
HEALTH_TIMEOUT="${HEALTH_TIMEOUT:-180}"
DOMAIN=cms
export CMS_BASE_IMAGE="${CMS_BASE_IMAGE:-cms-base:bookworm}"

log() { echo "[check-ear $(date +%H:%M:%S)] $*"; }
die() { log "FAIL: $*" >&2; exit 1; }

[ -f "$EAR" ] || die "$EAR not found: build first (./mvnw -B package -DskipTests)"
command -v unzip >/dev/null || die "unzip missing (apt-get install -y unzip)"
command -v curl >/dev/null || die "curl missing (apt-get install -y curl)"

# ---- 1. the server distribution (cached) ----------------------------------------------------------------------
ASADMIN="$PAYARA_CACHE_DIR/payara6/bin/asadmin"
if [ -x "$ASADMIN" ] && [ -f "$PAYARA_CACHE_DIR/.complete" ]; then
  log "Payara Server $PAYARA_VERSION cached in $PAYARA_CACHE_DIR"
else
  log "fetching fish.payara.distributions:payara:$PAYARA_VERSION:zip from Maven Central"
  DL="$(mktemp -d /tmp/cms-payara-dl.XXXXXX)"
  ./mvnw -B -q -N dependency:copy -Dartifact="fish.payara.distributions:payara:$PAYARA_VERSION:zip" \
    -DoutputDirectory="$DL"
  log "unzipping into $PAYARA_CACHE_DIR"
  rm -rf "$PAYARA_CACHE_DIR"
  mkdir -p "$PAYARA_CACHE_DIR"
  unzip -q "$DL/payara-$PAYARA_VERSION.zip" -d "$PAYARA_CACHE_DIR"
  rm -rf "$DL"
  [ -x "$ASADMIN" ] || die "no $ASADMIN in the distribution"
  touch "$PAYARA_CACHE_DIR/.complete"
fi

# ---- 2. a throw-away domain on free ports -----------------------------------------------------------------------
# Offsets from --portbase that a domain binds (admin 48, http 80, https 81, jms 76, iiop 37-39, jmx 86, osgi 66,
# debug 09, hazelcast 49/59; 95 is the gateway's agent listener).
PORT_OFFSETS="9 37 38 39 48 49 59 66 76 80 81 86 95"
port_busy() {
  if command -v ss >/dev/null; then
    [ -n "$(ss -Htln "sport = :$1" 2>/dev/null)" ]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}
portbase_free() {
  local o
  for o in $PORT_OFFSETS; do port_busy $(($1 + o)) && return 1; done
  return 0
}
if [ -z "${PORTBASE:-}" ]; then
  for b in 28000 29000 30000 31000 32000 33000; do
    if portbase_free "$b"; then PORTBASE=$b; break; fi
  done
  [ -n "${PORTBASE:-}" ] || die "no free port base among 28000..33000 (set PORTBASE)"
else
  portbase_free "$PORTBASE" || die "some port of PORTBASE=$PORTBASE is busy"
fi
ADMIN_PORT=$((PORTBASE + 48))
HTTP_PORT=$((PORTBASE + 80))
BASE_URL="http://localhost:$HTTP_PORT"

WORK="$(mktemp -d /tmp/cms-check-ear.XXXXXX)"
DOMAIN_DIR="$WORK/domains"
SERVER_LOG="$DOMAIN_DIR/$DOMAIN/logs/server.log"
export CMS_DATA_DIR="$WORK/data"
# the gateway's agent listener (its own port, base+95) relays agents to the servlet listener (base+80)
export CMS_HTTP_PORT="$HTTP_PORT" CMS_AGENT_PORT=$((PORTBASE + 95))
mkdir -p "$CMS_DATA_DIR"
asadmin() { "$ASADMIN" --interactive=false "$@"; }
remote() { asadmin --host localhost --port "$ADMIN_PORT" "$@"; }

STARTED=0
cleanup() {
  local rc=$?
  set +e
  if [ "$rc" -ne 0 ] && [ -f "$SERVER_LOG" ]; then
    echo "----- last 120 lines of $SERVER_LOG -----" >&2
    tail -n 120 "$SERVER_LOG" >&2
    echo "----- end of server log -----" >&2
  fi
  if [ "$STARTED" = 1 ]; then
    log "stopping domain"
    if ! timeout 120 "$ASADMIN" --interactive=false stop-domain --domaindir "$DOMAIN_DIR" "$DOMAIN" >/dev/null 2>&1; then
      local pidfile="$DOMAIN_DIR/$DOMAIN/config/pid"
      if [ -f "$pidfile" ]; then
        log "stop-domain failed: killing server pid $(cat "$pidfile")"
        kill -9 "$(cat "$pidfile")" 2>/dev/null
      fi
    fi
  fi
  if [ "${KEEP_TMP:-0}" = 1 ]; then
    log "kept $WORK"
  else
    rm -rf "$WORK"
  fi
  if [ "$rc" -eq 0 ]; then log "OK"; else log "FAILED (exit $rc)"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "creating domain '$DOMAIN' in $DOMAIN_DIR with portbase $PORTBASE (admin $ADMIN_PORT, http $HTTP_PORT)"
asadmin create-domain --nopassword=true --portbase "$PORTBASE" --domaindir "$DOMAIN_DIR" "$DOMAIN" >"$WORK/create-domain.log" 2>&1 \
  || { cat "$WORK/create-domain.log" >&2; die "create-domain failed"; }

# ---- 3. start and deploy --------------------------------------------------------------------------------------
log "starting domain (java: $(java -version 2>&1 | head -1); CMS_DATA_DIR=$CMS_DATA_DIR CMS_BASE_IMAGE=$CMS_BASE_IMAGE CMS_DB_URL=${CMS_DB_URL:-<H2 default>})"
STARTED=1
asadmin start-domain --timeout 300 --domaindir "$DOMAIN_DIR" "$DOMAIN" >"$WORK/start-domain.log" 2>&1 \
  || { cat "$WORK/start-domain.log" >&2; die "start-domain failed"; }

# MicroProfile Health is enabled by default on Payara Server 6 and served on the HTTP listener at /health
# (not on the admin listener). Make sure of it, in case a future default changes.
HC="$(remote get-microprofile-healthcheck-configuration 2>&1 || true)"
if ! echo "$HC" | grep -qE '^true[[:space:]]+health[[:space:]]'; then
  log "MicroProfile Health not enabled at /health: enabling it (and restarting the domain)"
  echo "$HC"
  remote set-microprofile-healthcheck-configuration --enabled=true --endpoint=health --securityenabled=false
  asadmin restart-domain --domaindir "$DOMAIN_DIR" "$DOMAIN" >/dev/null
fi

log "deploying $EAR"
remote deploy --force=true --name cms "$EAR" || die "deploy failed"
remote list-applications --long=true || true

# ---- 4. checks ------------------------------------------------------------------------------------------------
status_of() { curl -s -o "$WORK/body" -w '%{http_code}' --max-time 10 "$BASE_URL$1" || true; }

log "polling $BASE_URL/health and /health/ready (up to ${HEALTH_TIMEOUT}s)"
deadline=$((SECONDS + HEALTH_TIMEOUT))
while :; do
  h="$(status_of /health)"
  r="$(status_of /health/ready)"
  [ "$h" = 200 ] && [ "$r" = 200 ] && break
  if [ "$SECONDS" -ge "$deadline" ]; then
    log "/health -> $h, /health/ready -> $r"
    cat "$WORK/body" >&2 2>/dev/null || true
    echo >&2
    die "health not 200 within ${HEALTH_TIMEOUT}s"
  fi
  sleep 2
done
log "/health -> 200 $(curl -s --max-time 10 "$BASE_URL/health")"
log "/health/ready -> 200 $(cat "$WORK/body")"

# the console: signed out it shows the sign-in page; the admin signs in with the generated password
# (the console checks it with the gateway over loopback, CMS_HTTP_PORT) and gets the console page
c="$(status_of /console/)"
[ "$c" = 302 ] || { head -c 2000 "$WORK/body" >&2 || true; echo >&2; die "/console/ -> $c, expected 302 to the sign-in page"; }
c="$(status_of /console/signin.xhtml)"
[ "$c" = 200 ] && grep -q 'id="signin:signInBtn"' "$WORK/body" || die "/console/signin.xhtml -> $c, expected the sign-in page"
[ -s "$CMS_DATA_DIR/admin-password" ] || die "no $CMS_DATA_DIR/admin-password"
JAR="$WORK/cookies"
curl -s -c "$JAR" -b "$JAR" -o /dev/null --max-time 10 "$BASE_URL/console/signin.xhtml"
curl -s -c "$JAR" -b "$JAR" -o /dev/null --max-time 30 \
  --data-urlencode signin=signin --data-urlencode signin:name=admin \
  --data-urlencode "signin:password=$(cat "$CMS_DATA_DIR/admin-password")" \
  --data-urlencode signin:signInBtn= --data-urlencode jakarta.faces.ViewState=stateless \
  "$BASE_URL/console/signin.xhtml"
c="$(curl -s -c "$JAR" -b "$JAR" -o "$WORK/body" -w '%{http_code}' --max-time 30 "$BASE_URL/console/")"
[ "$c" = 200 ] && grep -q 'id="cms-user-name">admin<' "$WORK/body" \
  || { head -c 2000 "$WORK/body" >&2 || true; echo >&2; die "signed-in /console/ -> $c, expected the console for admin"; }
log "/console/ -> sign-in page; admin signed in -> 200 ($(wc -c <"$WORK/body") bytes)"

# Swagger UI (openapi-ui.war at /openapi/ui, beside Payara's own /openapi) with its local assets
c="$(status_of /openapi/ui/)"
[ "$c" = 200 ] && grep -q 'assets/swagger-ui-bundle.js' "$WORK/body" || die "/openapi/ui/ -> $c, expected the Swagger UI page"
c="$(status_of /openapi/ui/assets/swagger-ui-bundle.js)"
[ "$c" = 200 ] || die "/openapi/ui/assets/swagger-ui-bundle.js -> $c"
# the first /openapi builds the document (scans every app): more than status_of's 10 s on a loaded machine
c="$(curl -s -o "$WORK/body" -w '%{http_code}' --max-time 120 "$BASE_URL/openapi" || true)"
[ "$c" = 200 ] && grep -q '/api/v1/containers' "$WORK/body" || die "/openapi -> $c, expected the gateway's document"
log "/openapi/ui/ -> Swagger UI; /openapi -> the gateway's document"

# the records database: with CMS_DB_URL on PostgreSQL, the gateway said so and Flyway's history and the admin
# user are in that database
case "${CMS_DB_URL:-}" in
  jdbc:postgresql:*)
    grep -q 'records in PostgreSQL' "$SERVER_LOG" || die "the gateway did not log 'records in PostgreSQL'"
    if command -v psql >/dev/null; then
      PGURI="postgresql://${CMS_DB_USER:-}:${CMS_DB_PASSWORD:-}@${CMS_DB_URL#jdbc:postgresql://}"
      n="$(psql "$PGURI" -qAtc "SELECT count(*) FROM flyway_schema_history WHERE success")" \
        || die "cannot read flyway_schema_history in $CMS_DB_URL"
      u="$(psql "$PGURI" -qAtc "SELECT count(*) FROM app_user WHERE name = 'admin'")"
      [ "$n" -ge 9 ] && [ "$u" = 1 ] || die "PostgreSQL has $n migrations and $u admin users, expected >= 9 and 1"
      log "records in PostgreSQL ($CMS_DB_URL): $n migrations applied, the admin user there"
    else
      log "records in PostgreSQL ($CMS_DB_URL) per the server log (no psql to look inside)"
    fi
    ;;
  "") log "records in the embedded H2 under $CMS_DATA_DIR" ;;
esac

# Informational only (the gateway should redirect / to /console/ on a non-preview host).
log "/ -> $(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' --max-time 10 "$BASE_URL/" || true) (not checked)"

if grep -q 'SEVERE' "$SERVER_LOG" 2>/dev/null; then
  log "server log has SEVERE entries (not fatal):"
  grep -m 20 'SEVERE' "$SERVER_LOG" || true
fi

remote undeploy cms >/dev/null 2>&1 || true
log "EAR deployed on Payara Server $PAYARA_VERSION and healthy"
