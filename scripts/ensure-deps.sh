#!/usr/bin/env bash
# Detects the native prerequisites of Forge and installs what is missing.
#  - libstdc++ with GLIBCXX_3.4.32 (GCC 13+): TorchSharp's native library needs it; Debian 12 ships GCC 12,
#    so on bookworm the package comes from trixie, pinned low so nothing else is upgraded.
#  - Open MPI (only when asked with --mpi): openmpi-bin (mpirun and libmpi.so.40). Forge binds libmpi at run time and
#    compiles nothing against it, so libopenmpi-dev (headers, mpicc) is not needed; leaving it out also keeps the install
#    possible after libstdc++/libc6 came from trixie (bookworm's -dev packages would want bookworm's libc6-dev).
#  - GTK 3 (libgtk-3.so.0): OpenCV's native library (OpenCvSharp4.official.runtime.linux-x64, all image and video I/O)
#    links it; the package is libgtk-3-0, renamed libgtk-3-0t64 on Ubuntu 24.04 and Debian 13.
# As root and non-interactive it installs; otherwise it prints the exact commands and exits 3.
# Usage: scripts/ensure-deps.sh [--mpi] [--quiet]
set -euo pipefail

want_mpi=0; quiet=0
for a in "$@"; do
  case "$a" in
    --mpi) want_mpi=1 ;;
    --quiet) quiet=1 ;;
    *) echo "ensure-deps: unknown option '$a'" >&2; exit 2 ;;
  esac
done
say() { [ "$quiet" = 1 ] || echo "forge: $*" >&2; }

have_glibcxx() {
  local lib
  for lib in $(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64|libstdc\+\+\.so\.6 .*AArch64/ {print $NF}') \
             /usr/lib/x86_64-linux-gnu/libstdc++.so.6 /usr/lib/aarch64-linux-gnu/libstdc++.so.6; do
    [ -r "$lib" ] && grep -qa 'GLIBCXX_3\.4\.32' "$lib" && return 0
  done
  return 1
}
# ldconfig's list is read into a variable first: 'ldconfig -p | grep -q' can fail under pipefail (SIGPIPE).
have_gtk3() { local libs; libs=$(ldconfig -p 2>/dev/null) || true; [[ "$libs" == *"libgtk-3.so.0 "* ]]; }
have_mpi() { command -v mpirun >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep -q 'libmpi\.so'; }

os_id=""; os_codename=""
if [ -r /etc/os-release ]; then . /etc/os-release; os_id=${ID:-}; os_codename=${VERSION_CODENAME:-}; fi

# Commands that fix each missing piece on this distribution.
glibcxx_cmds() {
  if [ "$os_id" = debian ] && [ "$os_codename" = bookworm ]; then
    cat <<'CMDS'
echo 'deb http://deb.debian.org/debian trixie main' > /etc/apt/sources.list.d/forge-trixie.list
printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' > /etc/apt/preferences.d/forge-trixie
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t trixie libstdc++6
CMDS
  else
    echo "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libstdc++6"
  fi
}
gtk3_cmds() {
  local pkg=libgtk-3-0t64
  case "$os_codename" in bookworm|bullseye|jammy|focal) pkg=libgtk-3-0 ;; esac
  echo "apt-get update -qq"
  echo "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkg"
}
mpi_cmds() {
  echo "apt-get update -qq"
  echo "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openmpi-bin"
}

missing=()
have_glibcxx || missing+=(glibcxx)
have_gtk3 || missing+=(gtk3)
if [ "$want_mpi" = 1 ] && ! have_mpi; then missing+=(mpi); fi
[ ${#missing[@]} -eq 0 ] && exit 0

plan=""
for m in "${missing[@]}"; do
  case "$m" in
    glibcxx) say "libstdc++ lacks GLIBCXX_3.4.32 (TorchSharp's libtorch needs GCC 13's runtime)"; plan+="$(glibcxx_cmds)"$'\n' ;;
    gtk3) say "GTK 3 (libgtk-3.so.0) is not installed (OpenCV's native library, used for all image I/O, links it)"; plan+="$(gtk3_cmds)"$'\n' ;;
    mpi) say "Open MPI is not installed (needed for nproc>1 / distributed training)"; plan+="$(mpi_cmds)"$'\n' ;;
  esac
done

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  say "installing the missing packages (this happens once)..."
  bash -euo pipefail -c "$plan" >&2
  if [[ " ${missing[*]} " == *" glibcxx "* ]] && ! have_glibcxx; then
    echo "forge: installed libstdc++6 but GLIBCXX_3.4.32 is still missing; install GCC 13's libstdc++ by hand." >&2
    exit 3
  fi
  exit 0
fi

echo "forge: missing prerequisites. Run these as root (or with sudo), then try again:" >&2
printf '%s' "$plan" | sed 's/^/    /' >&2
exit 3
