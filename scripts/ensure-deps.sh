#!/usr/bin/env bash
# Detects the native prerequisites of Forge and installs what is missing.
#  - libstdc++ with GLIBCXX_3.4.32 (GCC 13+): TorchSharp's native library needs it. Debian 12 ships GCC 12, so on bookworm
#    the package comes from Debian 13 (trixie), with the trixie source pinned low (100) so that nothing else is taken from
#    it unless a package installed from it requires so. It does: libstdc++6 14 needs trixie's libc6, which in turn needs
#    trixie's base-files and a few others. That is a partial system upgrade, so it is listed first (from apt-get's
#    simulation) and done only with consent: a y/N question on a terminal, CI set, or FORGE_YES=1. README: "Debian 12".
#  - Open MPI (only when asked with --mpi): openmpi-bin (mpirun and libmpi.so.40). Forge binds libmpi at run time and
#    compiles nothing against it, so libopenmpi-dev (headers, mpicc) is not needed; leaving it out also keeps the install
#    possible after libstdc++/libc6 came from trixie (bookworm's -dev packages would want bookworm's libc6-dev).
#  - OpenCV's native library (OpenCvSharp4.official.runtime.linux-x64: all image and video I/O) links GTK 3, libdrm and
#    libatomic (libgtk-3.so.0, libdrm.so.2, libatomic.so.1); measured on a fresh Debian 12 root: with libgtk-3-0, libdrm2
#    and libatomic1 installed (no recommends) nothing is missing. GTK's package is libgtk-3-0t64 on Ubuntu 24.04 / Debian 13.
# Not root, or no consent: prints the exact commands and exits 3.
# Usage: scripts/ensure-deps.sh [--mpi] [--quiet] [--check]
#   --check  detect only: print each missing piece on stdout, exit 0 when nothing is missing and 1 otherwise.
# No early-exiting reader (grep -q, head) ever sits on a pipe here: under pipefail the writer's SIGPIPE (status 141) would
# turn "found" into "missing" now and then. Command output is captured into a variable first, then matched.
set -euo pipefail

want_mpi=0; quiet=0; check_only=0
for a in "$@"; do
  case "$a" in
    --mpi) want_mpi=1 ;;
    --quiet) quiet=1 ;;
    --check) check_only=1 ;;
    *) echo "ensure-deps: unknown option '$a'" >&2; exit 2 ;;
  esac
done
say() { [ "$quiet" = 1 ] || echo "forge: $*" >&2; }

ldconfig_cache() { ldconfig -p 2>/dev/null || true; }

have_glibcxx() {
  local cache lib candidates=()
  cache=$(ldconfig_cache)
  while read -r line; do
    [[ $line =~ libstdc\+\+\.so\.6\ .*(x86-64|AArch64).*=\>\ (.+)$ ]] && candidates+=("${BASH_REMATCH[2]}")
  done <<<"$cache"
  for lib in "${candidates[@]}" /usr/lib/x86_64-linux-gnu/libstdc++.so.6 /usr/lib/aarch64-linux-gnu/libstdc++.so.6; do
    [ -r "$lib" ] && grep -qa 'GLIBCXX_3\.4\.32' "$lib" && return 0   # grep reads the file itself: no pipe
  done
  return 1
}
have_opencv_libs() {
  local cache; cache=$(ldconfig_cache)
  [[ $cache == *"libgtk-3.so.0 "* && $cache == *"libdrm.so.2 "* && $cache == *"libatomic.so.1 "* ]]
}
have_mpi() {
  command -v mpirun >/dev/null 2>&1 || return 1
  local cache; cache=$(ldconfig_cache)
  [[ $cache == *libmpi.so* ]]
}

missing=()
have_glibcxx || missing+=(glibcxx)
have_opencv_libs || missing+=(opencv)
if [ "$want_mpi" = 1 ] && ! have_mpi; then missing+=(mpi); fi
if [ "$check_only" = 1 ]; then
  for m in ${missing[@]+"${missing[@]}"}; do echo "missing: $m"; done
  [ ${#missing[@]} -eq 0 ] && exit 0 || exit 1
fi
[ ${#missing[@]} -eq 0 ] && exit 0

os_id=""; os_codename=""
if [ -r /etc/os-release ]; then . /etc/os-release; os_id=${ID:-}; os_codename=${VERSION_CODENAME:-}; fi
from_trixie=0
[ "$os_id" = debian ] && [ "$os_codename" = bookworm ] && from_trixie=1

trixie_list=/etc/apt/sources.list.d/forge-trixie.list
trixie_pin=/etc/apt/preferences.d/forge-trixie
trixie_source='deb http://deb.debian.org/debian trixie main'
trixie_pin_text='Package: *\nPin: release n=trixie\nPin-Priority: 100\n'

# The commands that fix each missing piece on this distribution, as a root shell would run them.
glibcxx_cmds() {
  if [ "$from_trixie" = 1 ]; then
    cat <<CMDS
echo '$trixie_source' > $trixie_list
printf '$trixie_pin_text' > $trixie_pin
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t trixie libstdc++6
CMDS
  else
    echo "apt-get update -qq"
    echo "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libstdc++6"
  fi
}
opencv_cmds() {
  local gtk=libgtk-3-0t64
  case "$os_codename" in bookworm|bullseye|jammy|focal) gtk=libgtk-3-0 ;; esac
  echo "apt-get update -qq"
  echo "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $gtk libdrm2 libatomic1"
}
mpi_cmds() {
  echo "apt-get update -qq"
  echo "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openmpi-bin"
}

plan=""
for m in "${missing[@]}"; do
  case "$m" in
    glibcxx) say "libstdc++ lacks GLIBCXX_3.4.32 (TorchSharp's libtorch needs GCC 13's C++ runtime)"; plan+="$(glibcxx_cmds)"$'\n' ;;
    opencv) say "GTK 3, libdrm or libatomic is missing (OpenCV's native library, used for all image and video I/O, links them)"; plan+="$(opencv_cmds)"$'\n' ;;
    mpi) say "Open MPI is not installed (needed for the tests and for nproc>1 / distributed training)"; plan+="$(mpi_cmds)"$'\n' ;;
  esac
done

refuse() { # $1: why
  echo "forge: $1. Run these as root (or with sudo), then try again:" >&2
  printf '%s' "$plan" | sed 's/^/    /' >&2
  [ "$from_trixie" = 1 ] && [[ " ${missing[*]} " == *" glibcxx "* ]] &&
    echo "    (on Debian 12 this upgrades libc6 and a few other base packages to Debian 13's; see README, 'Debian 12')" >&2
  exit 3
}

[ "$(id -u)" = 0 ] || refuse "missing prerequisites"
command -v apt-get >/dev/null 2>&1 || refuse "missing prerequisites and no apt-get here"

# Finds the relation (Pre-Depends, Depends, Breaks) of another package's record that names package p; prints
# "OWNER FIELD: RELATION". strict=1: only one that the installed version old fails; strict=0: any dependency.
relation_awk='
  function holds(ver, op, v) {
    op = (op == ">=") ? "ge" : (op == "<=") ? "le" : (op == ">>") ? "gt" : (op == "<<") ? "lt" : "eq"
    return system("dpkg --compare-versions \"" ver "\" " op " \"" v "\"") == 0
  }
  /^Package:/ { owner = $2 }
  /^(Pre-Depends|Depends|Breaks):/ && owner != p {
    field = $1; sub(/:$/, "", field); n = split(substr($0, length($1) + 2), deps, ", ")
    for (i = 1; i <= n; i++) {
      m = split(deps[i], alt, " [|] ")
      for (a = 1; a <= m; a++) {
        k = split(alt[a], w, " "); sub(/:any$/, "", w[1]); if (w[1] != p) continue
        if (!strict || old == "-") { if (field != "Breaks") { print owner " " field ": " alt[a]; exit } continue }
        if (k < 3) continue
        op = substr(w[2], 2); v = w[3]; sub(/\)$/, "", v)
        if (field == "Breaks" ? holds(old, op, v) : !holds(old, op, v)) { print owner " " field ": " alt[a]; exit }
      }
    }
  }'

# What apt would change, from a simulation in a private copy of apt's configuration and package lists, so that nothing on
# the system changes before the answer. Prints one line per package: ACTION PACKAGE FROM TO (ACTION: install, upgrade,
# downgrade, remove; '-' where there is no version), then why it is in the plan: the planned package whose Depends,
# Pre-Depends or Breaks names it.
simulate() { # $1 = 1 to add the trixie source and pin, $2 = the package asked for; then apt-get install's arguments
  local with_trixie=$1 asked=$2; shift 2
  local sim; sim=$(mktemp -d)
  mkdir -p "$sim/lists/partial" "$sim/cache/archives/partial" "$sim/sources.list.d" "$sim/preferences.d"
  cp -a /etc/apt/sources.list.d/. "$sim/sources.list.d/" 2>/dev/null || true
  cp -a /etc/apt/preferences.d/. "$sim/preferences.d/" 2>/dev/null || true
  cp -al /var/lib/apt/lists/. "$sim/lists/" 2>/dev/null || cp -a /var/lib/apt/lists/. "$sim/lists/" 2>/dev/null || true
  rm -f "$sim/lists/lock"
  if [ "$with_trixie" = 1 ]; then
    echo "$trixie_source" > "$sim/sources.list.d/forge-trixie.list"
    printf "$trixie_pin_text" > "$sim/preferences.d/forge-trixie"
  fi
  local opts=(-o "Dir::Etc::SourceParts=$sim/sources.list.d" -o "Dir::Etc::PreferencesParts=$sim/preferences.d"
              -o "Dir::State::Lists=$sim/lists" -o "Dir::Cache=$sim/cache" -o APT::Sandbox::User=root)
  local out status=0
  if apt-get "${opts[@]}" update -qq >"$sim/update.log" 2>&1; then
    out=$(DEBIAN_FRONTEND=noninteractive apt-get "${opts[@]}" -s install "$@" 2>&1) || status=$?
  else
    status=$?; out=$(cat "$sim/update.log")
  fi
  if [ "$status" != 0 ]; then echo "$out" >&2; rm -rf "$sim"; return "$status"; fi
  # Inst pkg [old] (new ...) = upgrade or downgrade;  Inst pkg (new ...) = new;  Remv pkg [old] = removal
  local changes
  changes=$(awk '
    $1 == "Inst" && $3 ~ /^\[/ { old = substr($3, 2, length($3) - 2); new = substr($4, 2);
                                 down = system("dpkg --compare-versions \"" new "\" lt \"" old "\"") == 0;
                                 print (down ? "downgrade" : "upgrade"), $2, old, new; next }
    $1 == "Inst"               { print "install", $2, "-", substr($3, 2); next }
    $1 == "Remv"               { print "remove", $2, (($3 ~ /^\[/) ? substr($3, 2, length($3) - 2) : "?"), "-" }' <<<"$out")
  local records="" installed="" action pkg old new record
  while read -r action pkg old new; do   # the records of the new versions, the package asked for first
    [ -n "$pkg" ] || continue
    if [ "$new" != - ]; then
      record=$(apt-cache "${opts[@]}" show "$pkg=$new" 2>/dev/null || true)$'\n\n'
      if [ "$pkg" = "$asked" ]; then records="$record$records"; else records+="$record"; fi
    fi
    [ "$old" != - ] && installed+=$(apt-cache "${opts[@]}" show "$pkg=$old" 2>/dev/null || true)$'\n\n'
  done <<<"$changes"
  rm -rf "$sim"
  while read -r action pkg old new; do
    [ -n "$pkg" ] || continue
    local why
    # A planned package that needs this one; else this one's installed version needs a planned package as it was
    # (libc-bin Depends: libc6 (<< 2.37)), so it must move in step.
    # 1. a relation of a planned package that the installed version fails (Depends: p (>= v) or Breaks: p (<< v) with
    #    old < v); 2. else a dependency of a planned package (-t trixie takes trixie's version of each dependency it
    #    touches); 3. else the installed version needs a planned package as it was (libc-bin Depends: libc6 (<< 2.37)).
    why=$(awk -v p="$pkg" -v old="$old" -v strict=1 "$relation_awk" <<<"$records")
    if [ -z "$why" ]; then
      why=$(awk -v p="$pkg" -v old="$old" -v strict=0 "$relation_awk" <<<"$records")
      [ -n "$why" ] && [ "$with_trixie" = 1 ] && why+="; -t trixie takes trixie's version of each dependency it installs"
    fi
    [ -n "$why" ] || why=$(awk -v p="$pkg" -v planned=" $(awk '{printf "%s ", $2}' <<<"$changes")" '
      /^Package:/ { owner = $2 }
      /^(Pre-Depends|Depends):/ && owner == p {
        field = $1; sub(/:$/, "", field); n = split(substr($0, length($1) + 2), deps, ", ");
        for (i = 1; i <= n; i++) { split(deps[i], w, " "); sub(/:any$/, "", w[1]);
          if (w[1] != p && index(planned, " " w[1] " ") && deps[i] ~ /\((<<|<=|=) /) { print "installed " p " " field ": " deps[i]; exit } } }' <<<"$installed")
    printf '%s %s %s %s %s\n' "$action" "$pkg" "$old" "$new" "$why"
  done <<<"$changes"
}

consent() { # $1: what is about to happen
  if [ -n "${CI:-}" ] || [ "${FORGE_YES:-}" = 1 ]; then say "proceeding without asking (${CI:+CI is set}${FORGE_YES:+FORGE_YES=1})"; return 0; fi
  if [ -t 0 ] && [ -t 2 ]; then
    local answer=""
    read -r -p "forge: $1 [y/N] " answer </dev/tty || true
    [[ $answer =~ ^[Yy]([Ee][Ss])?$ ]] && return 0
    refuse "not confirmed"
  fi
  refuse "no terminal to ask on (set FORGE_YES=1 to agree in advance)"
}

if [[ " ${missing[*]} " == *" glibcxx "* ]] && [ "$from_trixie" = 1 ]; then
  say "on Debian 12 (bookworm) a GCC 13+ libstdc++6 exists only in Debian 13 (trixie); asking apt what installing it changes..."
  changes=$(simulate 1 libstdc++6 -t trixie libstdc++6) || refuse "apt-get could not plan the install (output above)"
  upgrades=$(awk '$1 != "install"' <<<"$changes")
  echo "forge: installing libstdc++6 from Debian 13 (trixie) changes these packages (apt-get -s, with the reason):" >&2
  while read -r action pkg old new why; do
    [ "$pkg" = libstdc++6 ] && why="provides GLIBCXX_3.4.32, which TorchSharp's libtorch needs"
    printf '    %-9s %-20s %-20s -> %-18s %s\n' "$action" "$pkg" "$old" "$new" "${why:+($why)}" >&2
  done <<<"$changes"
  if [ -n "$upgrades" ]; then
    echo "forge: that replaces base system packages (libc6, base-files: /etc/debian_version will read 13.x) by Debian 13's," >&2
    echo "       with the trixie source kept at pin priority 100 so they get trixie's security updates; libc6 cannot be" >&2
    echo "       downgraded again without reinstalling. See README, 'Debian 12: libstdc++ from trixie', for the undo." >&2
    consent "upgrade these packages now?"
  fi
fi

say "installing the missing packages (this happens once)..."
bash -euo pipefail -c "$plan" >&2
if [[ " ${missing[*]} " == *" glibcxx "* ]] && ! have_glibcxx; then
  echo "forge: installed libstdc++6 but GLIBCXX_3.4.32 is still missing; install GCC 13's libstdc++ by hand." >&2
  exit 3
fi
exit 0
