#!/usr/bin/env bash
# scripts/e2e/install-code-server.sh [DEST]
#
# Installs code-server (VS Code in the browser) for Hyperstep's end-to-end test
# (test/e2e/e2e.mjs) using only the npm registry (through the ordinary npm
# client) and tools already on the machine. Adapted from the checked recipe in
# ../shared/e2e. Nothing is downloaded from anywhere else:
#   - every package is installed with --ignore-scripts, so no install script
#     can try to fetch a prebuilt binary;
#   - the native modules are then compiled here with the node-gyp that ships
#     inside npm, against the Node.js headers already on the machine;
#   - ripgrep (needed by VS Code's search) is taken from the system `rg`
#     (Debian package `ripgrep`) instead of being downloaded.
#
# DEST defaults to $HYPERSTEP_E2E_CACHE/code-server, where HYPERSTEP_E2E_CACHE
# defaults to $HOME/.cache/hyperstep-e2e (the same place the e2e test looks).
#
# Idempotent: a finished install leaves DEST/.code-server-install.ok; running
# the script again with the same version only re-checks that the native
# modules load, and exits in about a second. Delete that file (or DEST) to
# force a reinstall.
#
# Environment:
#   HYPERSTEP_E2E_CACHE  cache folder (default $HOME/.cache/hyperstep-e2e)
#   CODE_SERVER_VERSION  code-server version (default 4.100.3, the last one
#                        whose engines field accepts Node 20)
#   JOBS                 parallel compile jobs for node-gyp (default: nproc)
#   NPM_INSTALL_FLAGS    extra flags for every npm install, e.g. "--prefer-offline"
#                        or "--offline" (the latter only from a filled npm cache)
#
# Needs (Debian): python3 make g++ libkrb5-dev ripgrep, plus Node.js with its
# headers (.ci/run installs them). The test itself also needs chromium.
set -euo pipefail

VERSION="${CODE_SERVER_VERSION:-4.100.3}"
JOBS="${JOBS:-$(nproc 2>/dev/null || echo 2)}"

die() { printf 'install-code-server: ERROR: %s\n' "$*" >&2; exit 1; }
log() { printf 'install-code-server [%3ss]: %s\n' "$SECONDS" "$*" >&2; }

CACHE="${HYPERSTEP_E2E_CACHE:-${HOME:?HOME is not set}/.cache/hyperstep-e2e}"
DEST_ARG="${1:-$CACHE/code-server}"
mkdir -p "$DEST_ARG" || die "cannot create folder $DEST_ARG"
DEST="$(cd "$DEST_ARG" && pwd)"
MARKER="$DEST/.code-server-install.ok"
# One install at a time per folder.
if command -v flock >/dev/null; then
  exec 9>"$DEST/.install.lock"
  flock 9
fi
CS="$DEST/node_modules/code-server"
VS="$CS/lib/vscode"

# Native modules code-server needs on Linux, as paths under their
# node_modules folder, and the .node file each must end up with.
NATIVE_TOP="argon2:lib/binding/napi-v3/argon2.node"
NATIVE_VSCODE="node-pty:build/Release/pty.node
kerberos:build/Release/kerberos.node
native-watchdog:build/Release/watchdog.node
@vscode/spdlog:build/Release/spdlog.node"

# ---------------------------------------------------------------- checks
command -v node >/dev/null || die "node not found on PATH"
command -v npm >/dev/null || die "npm not found on PATH"
NODE_VERSION="$(node -p 'process.versions.node')"
NODE_MAJOR="${NODE_VERSION%%.*}"

# code-server's engines field names one Node major; refuse a mismatch early.
case "$VERSION" in
  4.100.*|4.99.*|4.98.*|4.97.*|4.96.*) WANT_NODE=20 ;;
  *) WANT_NODE="" ;;
esac
if [ -n "$WANT_NODE" ] && [ "$NODE_MAJOR" != "$WANT_NODE" ]; then
  die "code-server $VERSION needs Node $WANT_NODE, but node is $NODE_VERSION"
fi

cs_version() {
  # `code-server --version`, with its config and log folders kept inside DEST
  # (by default it writes ~/.config/code-server/config.yaml on first run).
  mkdir -p "$DEST/.home/config" "$DEST/.home/data"
  XDG_CONFIG_HOME="$DEST/.home/config" XDG_DATA_HOME="$DEST/.home/data" \
    node "$CS/out/node/entry.js" --version 2>/dev/null | grep -E '^[0-9]+\.[0-9]+\.[0-9]+ ' | head -n1
}

verify() {
  # Loads every native module and asks code-server for its version.
  local entry spec mod file
  for entry in "top:$NATIVE_TOP" $(printf '%s\n' "$NATIVE_VSCODE" | sed 's/^/vs:/'); do
    spec="${entry#*:}"; mod="${spec%%:*}"; file="${spec#*:}"
    case "$entry" in
      top:*) file="$DEST/node_modules/$mod/$file" ;;
      vs:*)  file="$VS/node_modules/$mod/$file" ;;
    esac
    [ -f "$file" ] || { log "missing native module file $file"; return 1; }
    node -e 'require(process.argv[1])' "$file" 2>/dev/null \
      || { log "native module does not load: $file"; return 1; }
  done
  [ -x "$VS/node_modules/@vscode/ripgrep/bin/rg" ] || { log "ripgrep binary missing"; return 1; }
  "$VS/node_modules/@vscode/ripgrep/bin/rg" --version >/dev/null 2>&1 || { log "ripgrep does not run"; return 1; }
  local got
  got="$(cs_version | awk '{print $1}')" || true
  [ "$got" = "$VERSION" ] || { log "code-server --version printed '$got', expected $VERSION"; return 1; }
}

if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$VERSION node-$NODE_MAJOR" ]; then
  if verify; then
    log "code-server $VERSION already installed in $DEST (remove $MARKER to reinstall)"
    exit 0
  fi
  log "existing install in $DEST failed its check; reinstalling"
fi
rm -f "$MARKER"

for tool in python3 make g++; do
  command -v "$tool" >/dev/null || die "$tool not found (Debian: apt-get install -y python3 make g++)"
done

# Headers for node-gyp: never let node-gyp download them.
NODEDIR=""
for cand in "${npm_config_nodedir:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")" /usr /usr/local; do
  [ -n "$cand" ] || continue
  h="$cand/include/node/node_version.h"
  if [ -f "$h" ] && [ -f "$cand/include/node/common.gypi" ]; then
    hv="$(awk '/define NODE_(MAJOR|MINOR|PATCH)_VERSION/{printf "%s%s", sep, $3; sep="."}' "$h")"
    if [ "$hv" = "$NODE_VERSION" ]; then NODEDIR="$cand"; break; fi
  fi
done
if [ -z "$NODEDIR" ] && [ -f "$HOME/.cache/node-gyp/$NODE_VERSION/include/node/node_version.h" ]; then
  NODEDIR="$HOME/.cache/node-gyp/$NODE_VERSION"
fi
[ -n "$NODEDIR" ] || die "no Node.js $NODE_VERSION headers found (looked for include/node/node_version.h under /usr, /usr/local, the node prefix and ~/.cache/node-gyp); node-gyp would try to download them"

# node-gyp: the copy bundled with npm, so nothing is fetched through npx.
NPM_DIR="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
NODE_GYP="$NPM_DIR/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$NODE_GYP" ] || die "node-gyp not found inside npm (looked for $NODE_GYP)"

# kerberos (used by VS Code's proxy support) needs the GSSAPI headers.
if ! command -v krb5-config >/dev/null && [ ! -f /usr/include/gssapi/gssapi.h ]; then
  die "Kerberos headers missing (Debian: apt-get install -y libkrb5-dev)"
fi

RG="$(command -v rg || true)"
[ -n "$RG" ] || die "ripgrep (rg) not found; VS Code's search needs it (Debian: apt-get install -y ripgrep)"

export npm_config_nodedir="$NODEDIR"   # read by node-gyp
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
NPM_FLAGS=(--ignore-scripts --no-audit --no-fund --loglevel=error)
# shellcheck disable=SC2206  # word splitting of the extra flags is intended
[ -n "${NPM_INSTALL_FLAGS:-}" ] && NPM_FLAGS+=($NPM_INSTALL_FLAGS)

gyp_build() {  # gyp_build DIR [extra node-gyp args...]
  local dir="$1"; shift
  log "compiling $(basename "$(dirname "$dir")")/$(basename "$dir")"
  ( cd "$dir" && node "$NODE_GYP" rebuild --nodedir="$NODEDIR" --jobs="$JOBS" "$@" ) \
    > "$DEST/.build-$(basename "$dir").log" 2>&1 \
    || { tail -n 40 "$DEST/.build-$(basename "$dir").log" >&2; die "building $dir failed (full log: $DEST/.build-$(basename "$dir").log)"; }
}

# ---------------------------------------------------------------- 1. code-server package
log "installing code-server $VERSION (npm, scripts off) into $DEST"
cd "$DEST"
if [ ! -f package.json ]; then
  printf '{\n  "name": "code-server-host",\n  "private": true\n}\n' > package.json
fi
npm install "${NPM_FLAGS[@]}" --save-exact "code-server@$VERSION" \
  || die "npm install code-server@$VERSION failed (is the npm registry reachable?)"
[ -f "$CS/package.json" ] || die "code-server package not found after npm install"

# ---------------------------------------------------------------- 2. argon2 (password hashing; loaded at start-up)
ARGON_DIR="$DEST/node_modules/argon2"
[ -d "$ARGON_DIR" ] || die "argon2 not installed"
# Same variables node-pre-gyp would pass, so argon2's own loader finds the file.
gyp_build "$ARGON_DIR" --module_name=argon2 --module_path="$ARGON_DIR/lib/binding/napi-v3" --napi_build_version=3

# ---------------------------------------------------------------- 3. VS Code's own dependencies
log "installing VS Code dependencies (npm install from its shrinkwrap, scripts off)"
# Not `npm ci`: the shipped shrinkwrap is slightly out of sync with package.json.
( cd "$VS" && npm install --omit=dev "${NPM_FLAGS[@]}" ) || die "npm install in $VS failed"

for spec in $NATIVE_VSCODE; do
  gyp_build "$VS/node_modules/${spec%%:*}"
done
# node-pty's own post-install only cleans build/Release; do the same.
find "$VS/node_modules/node-pty/build/Release" -mindepth 1 -maxdepth 1 \
  ! -name pty.node ! -name spawn-helper -exec rm -rf {} +

# @parcel/watcher comes with a prebuilt binary from an npm package; check it.
node -e 'require(process.argv[1])' "$VS/node_modules/@parcel/watcher" \
  || die "@parcel/watcher does not load (its prebuilt package for this platform is missing)"

# ripgrep: use the system binary instead of downloading one.
mkdir -p "$VS/node_modules/@vscode/ripgrep/bin"
cp -fL "$RG" "$VS/node_modules/@vscode/ripgrep/bin/rg"
chmod 755 "$VS/node_modules/@vscode/ripgrep/bin/rg"

# The links code-server's own postinstall.sh would make.
ln -sfn node_modules "$VS/node_modules.asar"
ln -sfn code-linux.sh "$VS/bin/remote-cli/code-server"
ln -sfn browser-linux.sh "$VS/bin/helpers/browser.sh"

# ---------------------------------------------------------------- 4. built-in extensions' shared dependencies
log "installing dependencies of the built-in extensions"
( cd "$VS/extensions" && npm install --omit=dev "${NPM_FLAGS[@]}" && node ./postinstall.mjs >/dev/null ) \
  || die "installing the built-in extensions' dependencies failed"

# ---------------------------------------------------------------- 5. check
verify || die "post-install check failed"
echo "$VERSION node-$NODE_MAJOR" > "$MARKER"
log "done: $DEST/node_modules/.bin/code-server ($(cs_version))"
