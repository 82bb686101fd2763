# Shared helpers of infra/scripts and .ci/run: root check, Debian packages, kubectl, pnpm.
# Sourced, not run.

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

require_root() {
  [[ ${EUID:-$(id -u)} -eq 0 ]] || die "$1 needs root (network namespaces, apt-get): run it with sudo"
}

check_debian() {
  [[ -f /etc/debian_version ]] || die "this needs Debian 12 or 13 (no /etc/debian_version)"
  local v
  v=$(cut -d. -f1 /etc/debian_version)
  case "$v" in
    12 | 13 | trixie*) ;;
    *) log "warning: tested on Debian 12 and 13, this is Debian $(cat /etc/debian_version)" ;;
  esac
}

# Installs the Debian packages whose command is missing (command:package pairs).
install_missing_packages() {
  local missing=() pair
  for pair in nats-server:nats-server ip:iproute2 curl:curl ps:procps sysctl:procps nsenter:util-linux openssl:openssl busybox:busybox dig:dnsutils; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
  done
  if ((${#missing[@]} > 0)); then
    log "installing ${missing[*]}"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
  fi
}

# kubectl from apt (package kubectl where a repository has it, else Debian's kubernetes-client).
install_kubectl() {
  command -v kubectl >/dev/null 2>&1 && return 0
  log "installing kubectl"
  DEBIAN_FRONTEND=noninteractive apt-get install -y kubectl ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y kubernetes-client ||
    log "warning: kubectl is not installed: neither apt package kubectl nor kubernetes-client is available here (install kubectl by hand to use the cluster)"
}

install_pnpm() {
  command -v pnpm >/dev/null 2>&1 && return 0
  log "installing pnpm@12.4.2"
  npm i -g pnpm@12.4.2
}
