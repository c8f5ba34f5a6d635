# A real browser for integration tests (DESIGN.md section 6): headless Chromium (Debian's
# `chromium`) presenting a device bundle from an NSS database of its own, without a dialog, and
# the page it rendered (--dump-dom). Sourced after lib.sh; connects to 127.0.0.1 only (every
# other host name resolves to nothing) and stops by itself.
#
#   chromium_policy_install ISSUER_CN URL...  lets Chromium present, without asking, a
#                             certificate issued by ISSUER_CN to each URL's origin
#   chromium_policy_remove    removes exactly what chromium_policy_install made (call it on exit)
#   chromium_profile NAME [P12 PASSWORD]      a profile whose NSS database holds that bundle
#   chromium_dump NAME URL    renders URL in profile NAME: the DOM in $TMP/chromium/NAME.dom,
#                             Chromium's log in $TMP/chromium/NAME.err
#   CHROMIUM_HOSTS            the host names mapped to 127.0.0.1
#
# On Linux, Chromium reads the AutoSelectCertificateForUrls policy only from managed policy
# files, /etc/chromium/policies/managed/*.json for Debian's build: a headless Chromium without
# it waits for a certificate choice nobody can make. Writing there needs root (CI runs
# scripts/test as root) or passwordless sudo; without either, chromium_policy_install fails. An
# flock on /etc/chromium keeps two runs on one machine from meeting each other's policy; the file
# and any directory made for it are removed again.
CHROMIUM=${CHROMIUM:-chromium}
CHROMIUM_POLICY_DIR=/etc/chromium/policies/managed
CHROMIUM_POLICY_FILE=$CHROMIUM_POLICY_DIR/certgate-test-$$.json
CHROMIUM_MADE_DIRS=()
CHROMIUM_HOSTS=${CHROMIUM_HOSTS:-}
mkdir -p "$TMP/chromium"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi
}

chromium_policy_install() {
  local issuer=$1 entries="" url d
  shift
  command -v "$CHROMIUM" >/dev/null || { bad "no $CHROMIUM (Debian package chromium)"; return 1; }
  as_root true 2>/dev/null || { bad "writing $CHROMIUM_POLICY_DIR needs root or sudo -n"; return 1; }
  for d in /etc/chromium /etc/chromium/policies "$CHROMIUM_POLICY_DIR"; do
    [ -d "$d" ] && continue
    as_root mkdir "$d" && CHROMIUM_MADE_DIRS=("$d" "${CHROMIUM_MADE_DIRS[@]}")
  done
  exec {CHROMIUM_LOCK}</etc/chromium
  flock -w 120 "$CHROMIUM_LOCK" || { bad "another run holds /etc/chromium for 120 s"; return 1; }
  for url in "$@"; do
    entries+="${entries:+,}\"{\\\"pattern\\\":\\\"$url\\\",\\\"filter\\\":{\\\"ISSUER\\\":{\\\"CN\\\":\\\"$issuer\\\"}}}\""
  done
  printf '{"AutoSelectCertificateForUrls": [%s]}\n' "$entries" |
    as_root tee "$CHROMIUM_POLICY_FILE" >/dev/null
}

chromium_policy_remove() {
  local d
  [ -e "$CHROMIUM_POLICY_FILE" ] && as_root rm -f "$CHROMIUM_POLICY_FILE"
  for d in "${CHROMIUM_MADE_DIRS[@]}"; do as_root rmdir "$d" 2>/dev/null || true; done
  CHROMIUM_MADE_DIRS=()
  if [ -n "${CHROMIUM_LOCK:-}" ]; then exec {CHROMIUM_LOCK}<&-; fi
  CHROMIUM_LOCK=
}

chromium_profile() {
  local dir=$TMP/chromium/$1
  mkdir -p "$dir/home/.pki/nssdb"
  certutil -N --empty-password -d "sql:$dir/home/.pki/nssdb"
  if [ $# -ge 3 ]; then
    pk12util -i "$2" -d "sql:$dir/home/.pki/nssdb" -W "$3" >"$dir/pk12util.out" 2>&1 ||
      { bad "pk12util could not import $2"; sed 's/^/  | /' "$dir/pk12util.out" >&2; }
  fi
}

chromium_dump() {
  local dir=$TMP/chromium/$1 rules="" h
  for h in $CHROMIUM_HOSTS; do rules+="MAP $h 127.0.0.1, "; done
  HOME=$dir/home timeout -k 5 30 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
    --user-data-dir="$dir/profile" --ignore-certificate-errors --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-extensions --host-resolver-rules="${rules}MAP * ~NOTFOUND" \
    --dump-dom "$2" >"$TMP/chromium/$1.dom" 2>"$TMP/chromium/$1.err" || true
}

# expect_rendered NAME TEXT: profile NAME's page loaded (no net::ERR_... such as
# ERR_INVALID_RESPONSE or ERR_BAD_SSL_CLIENT_AUTH_CERT) and holds TEXT; else says what Chromium
# showed.
expect_rendered() {
  if grep -q 'Page load failed' "$TMP/chromium/$1.err"; then
    bad "Chromium ($1): $(grep -o -m 1 'Page load failed.*' "$TMP/chromium/$1.err")"
  else
    ok
  fi
  if grep -qF -- "$2" "$TMP/chromium/$1.dom"; then
    ok
  else
    bad "Chromium ($1) did not render \"$2\""
    sed -n '1,5s/^/  | dom: /p' "$TMP/chromium/$1.dom" >&2
    grep -E -m 3 'Page load failed|net::ERR' "$TMP/chromium/$1.err" | sed 's/^/  | log: /' >&2 || true
  fi
}
