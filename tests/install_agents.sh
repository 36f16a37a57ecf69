#!/usr/bin/env bash
# Installs the real coding-agent CLIs the real-agent test tier runs, at the
# pinned versions below, from npm into a cache directory outside the repo
# (${AMUX_NPM_CACHE:-$HOME/.cache/amux/agents}). Idempotent: a package whose
# pinned version is already there is not fetched again. AMUX_NO_NPM=1 skips
# it (the test summary then says the tier was skipped).
set -euo pipefail
if [ "${AMUX_NO_NPM:-}" = 1 ]; then
  echo "amux: AMUX_NO_NPM=1: not installing the agent CLIs (the real-agent tier is skipped)"
  exit 0
fi
PINS=(@anthropic-ai/claude-code@2.1.328 @openai/codex@0.171.0 @google/gemini-cli@0.61.0)
dir=${AMUX_NPM_CACHE:-$HOME/.cache/amux/agents}
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  echo "amux: npm is missing; installing Debian's npm"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq npm
fi
mkdir -p "$dir"
want=()
for pin in "${PINS[@]}"; do
  pkg=${pin%@*}; ver=${pin##*@}
  have=$(node -p "try{require('$dir/node_modules/$pkg/package.json').version}catch(e){''}" 2>/dev/null || true)
  [ "$have" = "$ver" ] || want+=("$pin")
done
if [ ${#want[@]} -eq 0 ]; then
  echo "amux: agent CLIs present in $dir (${PINS[*]})"
  exit 0
fi
echo "amux: installing ${want[*]} into $dir"
npm install --prefix "$dir" --no-audit --no-fund --no-save --loglevel=error "${PINS[@]}"
