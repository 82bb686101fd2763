#!/bin/sh
# Entrypoint of the compose control-plane container: makes the cluster credentials once
# (CA, apiserver certificate with this container's address and 127.0.0.1 as SANs, admin
# token) in $KEMU_STATE_DIR/pki, then runs the apiserver and the controller against the
# NATS cluster, each restarted after a second when it exits (as the supervisor does).
set -eu
cd /opt/kemu
state=${KEMU_STATE_DIR:-/var/lib/kemu}
cluster=${KEMU_CLUSTER:-compose}
port=${KEMU_APISERVER_CONTAINER_PORT:-6443}
set -- $(ip -4 -o addr show dev eth0)
ip=${4%/*}
pki=$state/pki
mkdir -p "$state"

if [ ! -s "$pki/tokens.csv" ]; then
  node --input-type=module -e "
    import { randomBytes } from 'node:crypto';
    import { createClusterPki } from '/opt/kemu/services/cli/dist/cluster/cluster-pki.js';
    await createClusterPki({ stateDir: '$state', cluster: '$cluster', hostIp: '$ip',
      serviceIp: '10.96.0.1', token: randomBytes(24).toString('hex') });
  "
fi

export KEMU_APISERVER_LISTEN="0.0.0.0:$port"
export KEMU_APISERVER_ADVERTISE="$ip:$port"
export KEMU_APISERVER_CERT="$pki/apiserver.crt"
export KEMU_APISERVER_KEY="$pki/apiserver.key"
export KEMU_APISERVER_TOKEN_FILE="$pki/tokens.csv"
export KEMU_SERVICE_CIDR="${KEMU_SERVICE_CIDR:-10.96.0.0/12}"

# The event stream with its replicas before the components connect (see ensure-stream.mjs).
until node /opt/kemu/infra/docker/ensure-stream.mjs; do sleep 1; done

supervise() {
  while :; do
    node "/opt/kemu/services/$1/dist/main.js" || true
    echo "{\"level\":40,\"component\":\"control-plane\",\"object\":\"$1\",\"msg\":\"exited; restarting in 1s\"}"
    sleep 1
  done
}

trap 'kill 0; exit 0' TERM INT
supervise apiserver &
supervise controller &
wait
