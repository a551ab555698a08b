#!/usr/bin/env bash
# Installs what the end-to-end tests need on a machine that reaches only the npm registry and
# Debian's packages: Debian's chromium (driven by playwright-core) and code-server 4.100.3 (a
# real VS Code 1.100 with a Node extension host), under .e2e/ (ignored by git).
#
# code-server's install fails four ways on such a machine; each is worked around here:
#   1. as root, its postinstall demands npm_config_unsafe_perm=true;
#   2. the kerberos module builds against libkrb5-dev (with pkg-config, make, g++);
#   3. @vscode/ripgrep downloads rg from outside: its cache is pre-seeded with Debian's rg;
#   4. node-pty's postinstall runs `npx node-gyp`, which npm refuses without npm_config_yes=true.
# Safe to run again: what is already installed is kept.
set -euo pipefail
cd "$(dirname "$0")/../.."

CODE_SERVER_VERSION=4.100.3
# @vscode/ripgrep 1.15.11 (code-server 4.100.3's) looks for this archive in its cache.
RIPGREP_CACHE=vscode-ripgrep-cache-1.15.11
RIPGREP_ARCHIVE=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
APT_PACKAGES=(libkrb5-dev pkg-config make g++ ripgrep chromium)

E2E_DIR="$PWD/.e2e"
INSTALL_DIR="$E2E_DIR/code-server"

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "test/e2e/setup.sh: needs Debian packages ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
    exit 2
  fi
  echo "setup: apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

installed_version() {
  node -p "require('$INSTALL_DIR/node_modules/code-server/package.json').version" 2>/dev/null || true
}
if [[ "$(installed_version)" == "$CODE_SERVER_VERSION" && -x "$INSTALL_DIR/node_modules/.bin/code-server" ]]; then
  echo "setup: code-server $CODE_SERVER_VERSION already installed in $INSTALL_DIR"
  exit 0
fi

mkdir -p "$INSTALL_DIR" "$E2E_DIR/tmp"
# A project of its own, so that npm does not treat it as part of the einsight workspace.
[[ -f "$INSTALL_DIR/package.json" ]] || echo '{ "name": "einsight-e2e-code-server", "private": true }' >"$INSTALL_DIR/package.json"

# Workaround 3: seed @vscode/ripgrep's download cache with Debian's rg.
export TMPDIR="$E2E_DIR/tmp"
seed="$(mktemp -d)"
cp "$(command -v rg)" "$seed/rg"
mkdir -p "$TMPDIR/$RIPGREP_CACHE"
tar -czf "$TMPDIR/$RIPGREP_CACHE/$RIPGREP_ARCHIVE" -C "$seed" rg
rm -rf "$seed"

echo "setup: npm install code-server@$CODE_SERVER_VERSION (about a minute)"
# Workarounds 1 and 4.
export npm_config_unsafe_perm=true npm_config_yes=true
(cd "$INSTALL_DIR" && npm install --no-audit --no-fund --foreground-scripts --loglevel=error \
  "code-server@$CODE_SERVER_VERSION" >"$E2E_DIR/code-server-install.log" 2>&1) || {
  tail -n 40 "$E2E_DIR/code-server-install.log" >&2
  echo "test/e2e/setup.sh: installing code-server failed; the whole log is $E2E_DIR/code-server-install.log" >&2
  exit 1
}
echo "setup: code-server $(installed_version) installed in $INSTALL_DIR"
