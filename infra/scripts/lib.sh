# Shared helpers of infra/scripts, .ci/run and infra/docker/Dockerfile: root check, Debian
# packages, nats-server, kubectl, pnpm. Sourced, not run.

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

# The oldest nats-server kemu supports. The suite runs on 2.10 (Debian 13's line, which
# .ci/run installs); on Debian 12's 2.9.10 `pnpm bench` hung for good in its snapshot
# start-up (an informer never synced), so kemu refuses anything older.
NATS_SERVER_MIN_MAJOR=2
NATS_SERVER_MIN_MINOR=10

# Prints the installed nats-server's version (e.g. 2.10.27), or nothing when there is none.
nats_server_version() {
  command -v nats-server >/dev/null 2>&1 || return 0
  nats-server --version 2>/dev/null | sed -nE 's/^nats-server: v?([0-9]+\.[0-9]+\.[0-9]+).*/\1/p' | head -n1
}

# True when the installed nats-server is 2.10 or newer.
nats_server_supported() {
  local v major minor
  v=$(nats_server_version)
  [[ -n $v ]] || return 1
  major=${v%%.*}
  minor=${v#*.}
  minor=${minor%%.*}
  ((major > NATS_SERVER_MIN_MAJOR || (major == NATS_SERVER_MIN_MAJOR && minor >= NATS_SERVER_MIN_MINOR)))
}

# On Debian 12, adds Debian 13 (trixie) from the machine's own mirror at pin priority 100,
# so nothing else is taken from it unless asked for with -t trixie. Fails when the apt
# sources name no Debian mirror.
add_trixie_suite() {
  local mirror
  mirror=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
    grep -hoE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' | head -n1 | awk '{print $2}' || true)
  [[ -n $mirror ]] || return 1
  cat >/etc/apt/sources.list.d/kemu-trixie.sources <<SOURCES
Types: deb
URIs: $mirror
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  cat >/etc/apt/preferences.d/kemu-trixie <<PIN
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN
}

# Installs nats-server 2.10 or newer unless it is there: Debian 13's own, or Debian 13's on
# Debian 12 (add_trixie_suite). Dies rather than settle for an older server.
install_nats_server() {
  nats_server_supported && return 0
  local have
  have=$(nats_server_version)
  log "installing nats-server ${NATS_SERVER_MIN_MAJOR}.${NATS_SERVER_MIN_MINOR} or newer${have:+ (found $have)}"
  if [[ $(cut -d. -f1 /etc/debian_version) == 12 ]]; then
    add_trixie_suite || die "cannot add Debian 13 (trixie) for nats-server 2.10: no Debian mirror in the apt sources"
    apt-get update || die "apt-get update failed with Debian 13 (trixie) added (/etc/apt/sources.list.d/kemu-trixie.sources); nats-server 2.10 comes from there"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -t trixie nats-server ||
      die "cannot install nats-server from Debian 13 (trixie); kemu does not run on Debian 12's nats-server 2.9"
  else
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y nats-server
  fi
  nats_server_supported ||
    die "nats-server $(nats_server_version) is installed, but kemu needs ${NATS_SERVER_MIN_MAJOR}.${NATS_SERVER_MIN_MINOR} or newer"
}

# Installs the Debian packages whose command is missing (command:package pairs).
install_missing_packages() {
  local missing=() pair
  for pair in ip:iproute2 curl:curl ps:procps sysctl:procps nsenter:util-linux openssl:openssl dig:dnsutils runc:runc nft:nftables conntrack:conntrack docker:docker.io chromium:chromium; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
  done
  # Pods run under runc in images built from this machine's files; the busybox image
  # needs the static busybox (busybox-static, which replaces the dynamic busybox).
  if ! command -v busybox >/dev/null 2>&1 || ldd "$(command -v busybox)" >/dev/null 2>&1; then
    missing+=(busybox-static)
  fi
  # `kemu compose` takes the compose plugin or docker-compose v1; Debian packages either as docker-compose.
  command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || missing+=(docker-compose)
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
