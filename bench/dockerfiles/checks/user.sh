# Checks wsbuild runs as the user inside every image (llb/checks.go): the
# image runs as user (1000:1000), has no sudo, and Python $1 from the venv.
set -eu
want="1000:1000"
have="$(id -u):$(id -g)"
[ "$have" = "$want" ] || { echo "the image runs as $have, not $want" >&2; exit 1; }
acct="$(id -u user):$(id -g user)"
[ "$acct" = "$want" ] || { echo "account user is $acct, not $want" >&2; exit 1; }
[ -O /home/user ] || { echo "/home/user is not owned by user" >&2; exit 1; }

if command -v sudo >/dev/null 2>&1; then echo "sudo is installed: $(command -v sudo)" >&2; exit 1; fi
for g in $(id -Gn); do
	case "$g" in sudo|wheel|admin|root) echo "the user is in group $g" >&2; exit 1;; esac
done

want=$1
have=$(python -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
case "$have" in "$want"|"$want".*) ;; *) echo "python is $have, not $want" >&2; exit 1;; esac
[ "$(command -v python)" = /opt/venv/bin/python ] || { echo "python on PATH is $(command -v python), not the venv's" >&2; exit 1; }
[ -w /opt/venv/bin ] || { echo "the venv /opt/venv is not writable by the user" >&2; exit 1; }
