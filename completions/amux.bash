# bash completion for amux.
#
# Why this shape: commands and options are read from amux's own --help (so
# they never drift from the binary), session ids and names from
# `amux agents --json --all`. Installed as
# share/bash-completion/completions/amux.

# Subcommand names listed under "Subcommands:" in `amux [cmd...] --help`.
_amux_subcommands() {
  "$@" --help 2>/dev/null | awk '/^Subcommands:/ {on=1; next} on && /^  [a-z]/ {print $1}'
}

# Options (long and short) of `amux [cmd...]`.
_amux_options() {
  "$@" --help 2>/dev/null | awk '/^Options:/ {on=1; next} /^[A-Z][a-z]*:/ {on=0}
    on && /^  +-/ { n = split($1, parts, ","); for (i = 1; i <= n; i++) print parts[i] }'
}

# The kind of value an option takes ("" for a flag): DIR, FILE, CMD, TEXT...
_amux_option_arg() {
  local opt=$1; shift
  "$@" --help 2>/dev/null | awk -v o="$opt" '/^  +-/ {
      n = split($1, parts, ","); for (i = 1; i <= n; i++) if (parts[i] == o) {
        if ($2 ~ /^[A-Z]+$/) print $2; exit } }'
}

# The kind of the first positional ("session", "dir", "prompt", ...).
_amux_positional() {
  "$@" --help 2>/dev/null | awk '/^Positionals:/ {getline; print $1; exit}'
}

# Session ids and names, one a line.
_amux_sessions() {
  command amux agents --json --all 2>/dev/null |
    sed -n 's/^ *"\(id\|name\)": *"\([^"\\]*\)",\{0,1\}$/\2/p'
}

_amux() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  local -a cmd=(command amux)
  local i w subs npos=0
  # Walk the words before the cursor: subcommands deepen the command, the
  # rest count as positionals.
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    [[ $w == -- ]] && { COMPREPLY=(); return 0; }
    [[ $w == -* ]] && continue
    if [[ ${COMP_WORDS[i-1]} == -* && -n $(_amux_option_arg "${COMP_WORDS[i-1]}" "${cmd[@]}") ]]; then
      continue  # the value of the option before
    fi
    subs=$(_amux_subcommands "${cmd[@]}")
    if [[ $npos == 0 ]] && grep -qxF -- "$w" <<<"$subs"; then
      cmd+=("$w")
    else
      npos=$((npos + 1))
    fi
  done

  if [[ $prev == -* ]]; then
    case $(_amux_option_arg "$prev" "${cmd[@]}") in
      DIR) COMPREPLY=($(compgen -d -- "$cur")); return 0 ;;
      FILE) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
      CMD) COMPREPLY=($(compgen -c -- "$cur")); return 0 ;;
      '') ;;
      *) COMPREPLY=(); return 0 ;;  # a free value (TEXT, PROFILE, ...)
    esac
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_amux_options "${cmd[@]}")" -- "$cur"))
    return 0
  fi
  local words=""
  [[ $npos == 0 ]] && words=$(_amux_subcommands "${cmd[@]}")
  if [[ $npos == 0 ]]; then
    case $(_amux_positional "${cmd[@]}") in
      session)
        local IFS=$'\n'
        COMPREPLY=($(compgen -W "$words"$'\n'"$(_amux_sessions)" -- "$cur"))
        return 0 ;;
      dir) COMPREPLY=($(compgen -W "$words" -- "$cur") $(compgen -d -- "$cur")); return 0 ;;
    esac
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}

complete -F _amux amux
