#!/usr/bin/env bash
# Builds a base image for infra/docker/Dockerfile from files on this machine, for hosts
# that cannot pull node:20-bookworm-slim (no registry reachable): a small rootfs with
# node, nats-server and the tools kemu and its test pods run (sh and busybox, iproute2,
# nsenter, curl, openssl, dig), each copied with the shared libraries ldd names, imported
# with `docker import`. Usage: offline-base.sh [TAG] (default kemu/base:offline3).
set -euo pipefail
tag=${1:-kemu/base:offline3}
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
# The image carries this machine's nats-server: the same 2.10+ line as everywhere else.
nats_server_supported ||
  die "this machine's nats-server ($(nats_server_version)) is older than 2.10: run infra/scripts/install-deps.sh as root first"

# Binaries by name; each must exist on the host (apt-get install them first).
# runc, perl (the per-container monitor), dash, printenv, host and kubectl are what pods
# need: the node-agent runs them as runc containers and builds their images from these
# (packages/containers/src/image-recipes.ts, with ldd), so busybox must be the static one.
# nft and conntrack are the proxy's nftables mode (rules and flows in the node container's netns).
tools=(node nats-server busybox sh bash ip nsenter sysctl curl openssl dig nslookup host
  mkfifo stty hostname tail cat sleep ps env mount umount runc perl dash printenv kubectl ldd
  nft conntrack)

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

copy_file() {
  local src=$1
  [[ -e $root$src ]] && return 0
  mkdir -p "$root$(dirname "$src")"
  cp -L "$src" "$root$src"
}

for tool in "${tools[@]}"; do
  path=$(command -v "$tool" || true)
  if [[ -z $path || $path != /* ]]; then
    echo "offline-base: $tool is not installed on this machine" >&2
    exit 1
  fi
  real=$(readlink -f "$path")
  copy_file "$real"
  # Keep the name the tool is called by (e.g. /usr/bin/sh -> dash) at its usual path too.
  if [[ $real != "$path" ]]; then
    mkdir -p "$root$(dirname "$path")"
    ln -sf "$real" "$root$path"
  fi
  # Shared libraries, and the dynamic loader (the line without =>).
  while read -r lib; do
    [[ -n $lib ]] && copy_file "$lib"
  done < <(ldd "$real" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}')
done

# Every other busybox applet (ls, head, wget, nc, ...) as a link in /usr/local/bin, after
# the real tools on PATH.
mkdir -p "$root/usr/local/bin"
for applet in $(busybox --list); do
  [[ -e $root/usr/bin/$applet || -e $root/usr/sbin/$applet || -e $root/bin/$applet ]] && continue
  ln -sf /usr/bin/busybox "$root/usr/local/bin/$applet"
done

# dig and curl resolve names with NSS; node reads its ICU data from the binary itself.
for lib in /lib/x86_64-linux-gnu/libnss_dns.so.2 /lib/x86_64-linux-gnu/libnss_files.so.2 \
  /lib/x86_64-linux-gnu/libresolv.so.2; do
  [[ -e $lib ]] && copy_file "$lib"
done

# perl's own modules (strict, POSIX, ...), as Debian's perl-base installs them.
while read -r file; do
  [[ -f $file && ! -L $file ]] && copy_file "$file"
done < <(dpkg -L perl-base | grep -E '^/usr/(lib|share)/.*perl')

# The usual merged-/usr layout, and the files programs expect.
mkdir -p "$root"/{etc,tmp,run/netns,var,proc,sys,dev,root,opt}
# /var/run is /run, as on Debian: `ip netns` binds /run/netns/X, runc is given /var/run/netns/X.
ln -sfn /run "$root/var/run"
chmod 1777 "$root/tmp"
[[ -e $root/bin ]] || ln -s usr/bin "$root/bin"
[[ -e $root/sbin ]] || ln -s usr/sbin "$root/sbin"
[[ -e $root/lib ]] || ln -s usr/lib "$root/lib"
[[ -e $root/lib64 ]] || ln -s usr/lib64 "$root/lib64"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
cp /etc/ssl/openssl.cnf "$root/etc/ssl-openssl.cnf" 2>/dev/null && mkdir -p "$root/etc/ssl" &&
  mv "$root/etc/ssl-openssl.cnf" "$root/etc/ssl/openssl.cnf" || true
# nft and conntrack name protocols and ports with these (netbase's files).
for f in /etc/protocols /etc/services; do [[ -e $f ]] && cp "$f" "$root$f"; done
# iproute2 reads its tables from here (ip netns works without them, ip route prints names).
[[ -d /usr/share/iproute2 ]] && mkdir -p "$root/usr/share" && cp -r /usr/share/iproute2 "$root/usr/share/"
[[ -d /etc/iproute2 ]] && cp -r /etc/iproute2 "$root/etc/"

tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/sbin:/usr/local/bin' \
  --change 'CMD ["sh"]' - "$tag" >/dev/null
echo "$tag"
