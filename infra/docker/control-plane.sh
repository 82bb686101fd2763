#!/bin/sh
# Entrypoint of the compose control-plane container: runs the apiserver and the
# controller against the NATS cluster, each restarted after a second when it exits (as
# the supervisor does). Its credentials are made by `kemu compose up` on the host
# (services/cli/src/compose/compose-credentials.ts) and mounted read-only at /etc/kemu:
# the CA, the apiserver's certificate (SANs: this container's address, 127.0.0.1, the
# `kubernetes` ClusterIP), the admin token file, the ServiceAccount signing key, and one
# NATS nkey per component.
set -eu
cd /opt/kemu
secrets=/etc/kemu
port=${KEMU_APISERVER_CONTAINER_PORT:-6443}
set -- $(ip -4 -o addr show dev eth0)
ip=${4%/*}
for f in ca.crt apiserver.crt apiserver.key tokens.csv sa.key apiserver.nk controller.nk; do
  [ -s "$secrets/$f" ] || { echo "control-plane: $secrets/$f is missing (start the cluster with kemu compose up)" >&2; exit 1; }
done

export KEMU_APISERVER_LISTEN="0.0.0.0:$port"
export KEMU_APISERVER_ADVERTISE="$ip:$port"
export KEMU_APISERVER_CERT="$secrets/apiserver.crt"
export KEMU_APISERVER_KEY="$secrets/apiserver.key"
export KEMU_APISERVER_TOKEN_FILE="$secrets/tokens.csv"
export KEMU_APISERVER_SA_KEY="$secrets/sa.key"
export KEMU_APISERVER_ROOT_CA="$secrets/ca.crt"
export KEMU_SERVICE_CIDR="${KEMU_SERVICE_CIDR:-10.96.0.0/12}"

# The event stream with its replicas before the components connect (see ensure-stream.mjs),
# with the apiserver's credential (the one that may scale a stream).
until KEMU_NATS_NKEY_FILE="$secrets/apiserver.nk" node /opt/kemu/infra/docker/ensure-stream.mjs; do sleep 1; done

supervise() {
  while :; do
    KEMU_NATS_NKEY_FILE="$secrets/$1.nk" node "/opt/kemu/services/$1/dist/main.js" || true
    echo "{\"level\":40,\"component\":\"control-plane\",\"object\":\"$1\",\"msg\":\"exited; restarting in 1s\"}"
    sleep 1
  done
}

trap 'kill 0; exit 0' TERM INT
supervise apiserver &
supervise controller &
wait
