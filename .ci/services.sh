#!/usr/bin/env bash
# Makes sure the machine's PostgreSQL and Redis answer, starting them the way this machine does
# if they have stopped. CI must not skip the PostgreSQL and Redis suites.
set -uo pipefail
pg_url=$1
redis_url=$2

pg_up() { node -e 'const pg=require("pg");const c=new pg.Client({connectionString:process.argv[1]});c.connect().then(()=>c.end()).then(()=>process.exit(0),()=>process.exit(1))' "$pg_url"; }
redis_up() { node -e 'const {Redis}=require("ioredis");const r=new Redis(process.argv[1],{lazyConnect:true,maxRetriesPerRequest:0,retryStrategy:()=>null});r.connect().then(()=>r.ping()).then(()=>{r.disconnect();process.exit(0)},()=>process.exit(1))' "$redis_url"; }

if ! pg_up; then
  echo "PostgreSQL is not answering; starting it"
  command -v pg_ctlcluster >/dev/null && pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
if ! redis_up; then
  echo "Redis is not answering; starting it"
  command -v redis-server >/dev/null && redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  for _ in $(seq 1 30); do redis_up && break; sleep 1; done
fi
pg_up || { echo "PostgreSQL unavailable at $pg_url"; exit 1; }
redis_up || { echo "Redis unavailable at $redis_url"; exit 1; }
echo "PostgreSQL and Redis are up"
