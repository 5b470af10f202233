# Check: python is the version asked for (CHECK_PYTHON), it is the venv's,
# and the user can write to the venv.
want="$CHECK_PYTHON"
have=$(python -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
case "$have" in "$want" | "$want".*) ;; *) echo "python is $have, not $want" >&2; exit 1 ;; esac
[ "$(command -v python)" = /opt/venv/bin/python ] || { echo "python on PATH is $(command -v python), not the venv's" >&2; exit 1; }
[ -w /opt/venv/bin ] || { echo "the venv /opt/venv is not writable by the user" >&2; exit 1; }
