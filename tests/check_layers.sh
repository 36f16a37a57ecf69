#!/usr/bin/env bash
# check_layers.sh — fails when a source file includes a layer above its own.
#
# Why: amux's layers (docs/architecture.md §3) are only a model while no
# include runs upward; this keeps them honest on every `make test`. Each
# layer may include itself and the layers listed for it. Prints one line per
# offending include and the plain "N passed, N failed" summary of one check.
set -u
cd "$(dirname "$0")/.."
declare -A allowed=(
  [pty]="pty"
  [keymap]="keymap"
  [render]="render"
  [mux]="mux render keymap pty"
  [host]="host mux render keymap pty"
  [view]="view mux render keymap pty"
  [cli]="cli view mux render keymap pty host"
)
bad=0
for dir in src/*/; do
  layer=$(basename "$dir")
  if [ -z "${allowed[$layer]+x}" ]; then
    echo "layer check: src/$layer is not a known layer (add it to tests/check_layers.sh)"
    bad=$((bad + 1)); continue
  fi
  while IFS=: read -r file line inc; do
    target=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"$inc")
    case " ${allowed[$layer]} " in
      *" $target "*) ;;
      *) echo "layer check: $file:$line includes $target/ (a $layer file may use: ${allowed[$layer]})"
         bad=$((bad + 1)) ;;
    esac
  done < <(grep -rnE '^#include "[a-z_]+/' "$dir")
done
# Inside mux the session host and the supervisor meet only on the wire.
for pair in "host daemon" "daemon host"; do
  set -- $pair
  while IFS= read -r hit; do
    echo "layer check: $hit (mux/$1 and mux/$2 meet only on the wire)"
    bad=$((bad + 1))
  done < <(grep -rnE "^#include \"mux/$2/" "src/mux/$1" 2>/dev/null)
done
# The remote-host layer is a client of other machines' amux: it uses the
# store and the wire, never a session host's or the supervisor's insides.
while IFS= read -r hit; do
  echo "layer check: $hit (mux/remote reaches hosts and the supervisor only through commands)"
  bad=$((bad + 1))
done < <(grep -rnE '^#include "mux/(host|daemon)/' src/mux/remote 2>/dev/null)
if [ "$bad" -eq 0 ]; then echo "layer check: no upward include"; echo "1 passed, 0 failed"; exit 0; fi
echo "0 passed, 1 failed"
exit 1
