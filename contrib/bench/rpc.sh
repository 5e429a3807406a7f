#!/usr/bin/env bash
# RPC throughput: requests/s of getblockcount and getaccount over keep-alive
# HTTP with wrk, next to wrk against a minimal static HTTP responder (nginx
# answering 200 to the same POST) on the same machine in the same run. The
# nginx figure is the machine's HTTP limit; the target is depind >= 0.5x it.
#
#   contrib/bench/rpc.sh [bindir]          # default build/bin
#   DURATION=10 ROUNDS=3 CONNECTIONS=32 WRK_THREADS=2 NGINX_WORKERS=1 RPC_THREADS=4 \
#     contrib/bench/rpc.sh
#
# Starts its own regtest depind and nginx (not daemonized, own temporary
# config and datadir, loopback ports) and stops both on exit.
set -euo pipefail

BINDIR=${1:-build/bin}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
WRK_THREADS=${WRK_THREADS:-2}
NGINX_WORKERS=${NGINX_WORKERS:-1}
RPC_THREADS=${RPC_THREADS:-4}
ROUNDS=${ROUNDS:-3}

for tool in wrk nginx python3; do
  command -v "$tool" >/dev/null || { echo "rpc.sh: $tool not found (contrib/install-deps.sh)"; exit 1; }
done
[ -x "$BINDIR/depind" ] || { echo "rpc.sh: no depind in $BINDIR"; exit 1; }

TMP=$(mktemp -d /tmp/depin_rpc_bench.XXXXXX)
DEPIND_PID=""
NGINX_PID=""
cleanup() {
  [ -n "$DEPIND_PID" ] && kill "$DEPIND_PID" 2>/dev/null && wait "$DEPIND_PID" 2>/dev/null || true
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

RPC_PORT=$(free_port)
NGINX_PORT=$(free_port)
ACCOUNT=0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266

# wrk scripts: POST a fixed JSON-RPC body on every request.
make_lua() {  # $1 file, $2 body
  cat >"$1" <<LUA
wrk.method = "POST"
wrk.body = '$2'
wrk.headers["Content-Type"] = "application/json"
LUA
}
make_lua "$TMP/getblockcount.lua" '{"jsonrpc":"2.0","id":1,"method":"getblockcount"}'
make_lua "$TMP/getaccount.lua" "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getaccount\",\"params\":[\"$ACCOUNT\"]}"

# depind: regtest, no miner, a few blocks so the state is not empty.
mkdir -p "$TMP/datadir"
"$BINDIR/depind" -regtest -datadir="$TMP/datadir" -rpcport="$RPC_PORT" -port="$(free_port)" \
  -rpcthreads="$RPC_THREADS" -rpcbind=127.0.0.1 >"$TMP/depind.out" 2>&1 &
DEPIND_PID=$!
for _ in $(seq 1 300); do
  if curl -s -o /dev/null -H 'Content-Type: application/json' \
      -d '{"jsonrpc":"2.0","id":1,"method":"getblockcount"}' "http://127.0.0.1:$RPC_PORT/"; then
    break
  fi
  sleep 0.1
done
COOKIE=$(cat "$TMP/datadir/regtest/.cookie")
curl -s -o /dev/null -u "$COOKIE" -H 'Content-Type: application/json' \
  -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"generatetoaddress\",\"params\":[10,\"$ACCOUNT\"]}" \
  "http://127.0.0.1:$RPC_PORT/"
echo "check: $(curl -s -H 'Content-Type: application/json' --data @<(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$TMP/getaccount.lua") "http://127.0.0.1:$RPC_PORT/")"

# nginx: foreground (daemon off), own prefix, answers 200 to anything.
mkdir -p "$TMP/nginx/logs"
cat >"$TMP/nginx/nginx.conf" <<NGINX
worker_processes $NGINX_WORKERS;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/logs/error.log;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      default_type application/json;
      return 200 '{"jsonrpc":"2.0","id":1,"result":10}';
    }
  }
}
NGINX
nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" &
NGINX_PID=$!
for _ in $(seq 1 100); do
  curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/" && break
  sleep 0.1
done

run_wrk() {  # $1 url, $2 lua -> requests/s
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s "$2" "$1" >"$TMP/wrk.out" 2>&1
  if grep -q "Non-2xx" "$TMP/wrk.out"; then
    echo "rpc.sh: errors from $1:" >&2
    cat "$TMP/wrk.out" >&2
  fi
  awk '/Requests\/sec/ {print $2}' "$TMP/wrk.out"
}

echo "wrk: $WRK_THREADS threads, $CONNECTIONS keep-alive connections, ${DURATION}s each," \
  "$ROUNDS interleaved rounds (median); depind -rpcthreads=$RPC_THREADS," \
  "nginx $NGINX_WORKERS worker(s); $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
# Interleaved rounds so that load from other processes hits all three alike.
NGINX_RPS=""; BLOCKCOUNT_RPS=""; ACCOUNT_RPS=""
for round in $(seq 1 "$ROUNDS"); do
  NGINX_RPS="$NGINX_RPS $(run_wrk "http://127.0.0.1:$NGINX_PORT/" "$TMP/getblockcount.lua")"
  BLOCKCOUNT_RPS="$BLOCKCOUNT_RPS $(run_wrk "http://127.0.0.1:$RPC_PORT/" "$TMP/getblockcount.lua")"
  ACCOUNT_RPS="$ACCOUNT_RPS $(run_wrk "http://127.0.0.1:$RPC_PORT/" "$TMP/getaccount.lua")"
  echo "round $round: nginx $(echo "$NGINX_RPS" | awk '{print $NF}')" \
    "getblockcount $(echo "$BLOCKCOUNT_RPS" | awk '{print $NF}')" \
    "getaccount $(echo "$ACCOUNT_RPS" | awk '{print $NF}')"
done

python3 - "$NGINX_RPS" "$BLOCKCOUNT_RPS" "$ACCOUNT_RPS" <<'PY'
import statistics, sys
nginx, blockcount, account = (statistics.median(float(x) for x in arg.split())
                              for arg in sys.argv[1:4])
print(f"{'target':<28}{'requests/s':>12}{'vs nginx':>10}")
print(f"{'nginx static 200 (limit)':<28}{nginx:>12.0f}{1.0:>10.2f}")
print(f"{'depind getblockcount':<28}{blockcount:>12.0f}{blockcount / nginx:>10.2f}")
print(f"{'depind getaccount':<28}{account:>12.0f}{account / nginx:>10.2f}")
ok = min(blockcount, account) >= 0.5 * nginx
print("target >= 0.5x nginx:", "met" if ok else "NOT met")
PY
