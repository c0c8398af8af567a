# Sourced by install-neovim.sh and install-emacs.sh: apt-get of other Debian suites with a private
# state folder, sources list and status file (nothing of /etc/apt or /var/lib/apt is read or
# written), used only to resolve and download packages, which are then unpacked with dpkg-deb -x.
#
#   private_apt_unpack WORK STATUS "SOURCES LINES" APT-INSTALL-ARGUMENTS...
#
# STATUS is the dpkg status file to plan against (empty: as on an empty system, every dependency is
# fetched; a copy of the system's: only what it lacks). Unpacks into WORK/root, sets DOWNLOADED_BYTES and
# DOWNLOADED_PACKAGES, and calls `fail MESSAGE` (the caller's) when a step does not work.
private_apt_unpack() {
  local work=$1 status=$2 sources=$3
  shift 3
  mkdir -p "$work/lists/partial" "$work/archives/partial" "$work/cache" "$work/root" "$work/none"
  if [ -n "$status" ]; then cp "$status" "$work/status"; else : >"$work/status"; fi
  printf '%s\n' "$sources" >"$work/sources.list"
  local apt=(apt-get -q
    -o "Dir::State::Lists=$work/lists" -o "Dir::State::status=$work/status"
    -o "Dir::State::extended_states=$work/extended_states"
    -o "Dir::Cache=$work/cache" -o "Dir::Cache::archives=$work/archives"
    -o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=$work/none"
    -o "Dir::Etc::Preferences=$work/none" -o "Dir::Etc::PreferencesParts=$work/none"
    -o Debug::NoLocking=1 -o APT::Sandbox::User=root -o APT::Architecture=amd64 -o APT::Architectures::=amd64)
  echo "reading: $(tr '\n' ';' <"$work/sources.list")" >&2
  "${apt[@]}" update >"$work/update.log" 2>&1 || { cat "$work/update.log" >&2; fail "cannot read the package lists (unreachable, or no such suite)"; }
  grep -q '^Err' "$work/update.log" && { cat "$work/update.log" >&2; fail "cannot read the package lists"; }
  "${apt[@]}" install --download-only -y --no-install-recommends "$@" >"$work/download.log" 2>&1 || { cat "$work/download.log" >&2; fail "cannot download $*"; }
  local debs=("$work"/archives/*.deb)
  [ -e "${debs[0]}" ] || fail "apt downloaded nothing (see above)"
  DOWNLOADED_BYTES=$(du -cb "${debs[@]}" | tail -1 | cut -f1)
  DOWNLOADED_PACKAGES=${#debs[@]}
  local deb
  for deb in "${debs[@]}"; do dpkg-deb -x "$deb" "$work/root"; done
}
