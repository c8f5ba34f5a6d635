# Shared by scripts/demo and scripts/test: install what a fresh Debian 12 / Ubuntu machine
# lacks (apt-get, via sudo when not root; nothing when all is present), then build out of tree.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${CERTGATE_BUILD_DIR:-$ROOT/build}

# Build tools, the libraries certgate links, and the real tools its tests drive.
PACKAGES=(
  build-essential cmake pkg-config
  libssl-dev libtomlplusplus-dev libgit2-dev libssh-dev libspdlog-dev doctest-dev
  libcli11-dev nlohmann-json3-dev libqrencode-dev
  openssl ca-certificates curl git python3 python3-jsonschema python3-flask python3-markdown
  python3-yaml
  libnss3-tools easy-rsa time nginx systemd openssh-server faketime chromium
  clang libclang-rt-14-dev
  lintian dpkg-dev man-db groff-base mandoc bash-completion zsh jq prometheus
)

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

install_missing() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    say "all ${#PACKAGES[@]} packages are installed"
    return
  fi
  say "installing: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}"
}

build() {
  say "building in $BUILD"
  local werror=OFF
  [ -n "${CI:-}" ] && werror=ON
  cmake -S "$ROOT" -B "$BUILD" -DCERTGATE_WERROR="$werror" >/dev/null
  cmake --build "$BUILD" -j "$(nproc)"
}
