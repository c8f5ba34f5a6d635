# md_has FILE EXPR: FILE is well-formed markdown (tests/integration/markdown_check.py: tables
# whose rows all have the header's cell count, no <script>) and the Python expression EXPR holds.
# Debian's /usr/bin/python3, which has python3-markdown (a pyenv python3 on PATH may not).
md_has() {
  if /usr/bin/python3 "$CERTGATE_SOURCE_DIR/tests/integration/markdown_check.py" "$1" "$2" \
    2>"$TMP/md_check.err"; then ok; else
    bad "markdown $1: $2"; sed 's/^/  | /' "$TMP/md_check.err" >&2
    head -c 3000 "$1" | sed 's/^/  > /' >&2
  fi
}
