#!/usr/bin/env bash
# What kemu needs on a Debian 12 or 13 machine, installed one way for `npm start`
# (infra/scripts/start.sh) and CI (.ci/run): nats-server 2.10 or newer (Debian 13's, from
# trixie at a low pin priority on Debian 12; it fails rather than fall back to Debian 12's
# 2.9.10), iproute2, procps, util-linux, curl, openssl, busybox-static, dnsutils, runc (pods
# are containers), nftables and conntrack (the nftables proxy mode), chromium (the dashboard's
# browser tests, driven by playwright-core), docker and compose, kubectl and pnpm. Idempotent: installs only what is missing or too old, so a
# prepared machine needs no network. Run as root.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source infra/scripts/lib.sh

require_root "infra/scripts/install-deps.sh"
check_debian
export DEBIAN_FRONTEND=noninteractive

install_nats_server
install_missing_packages
install_kubectl
install_pnpm
log "$(nats-server --version)"
