#!/bin/sh
# start.sh: proves that a wsbuild image serves at start. Run by a check step
# on top of the image (network none, as the image's user), it starts the
# entrypoint the way the platform does, with credentials of its own, and runs
# wsbuild-probe (mounted into the step, not installed in the image) to prove
# every service answers.
#
#   start.sh SERVICE... [-- COMMAND [ARG...]]
#
# SERVICE is as wsbuild-probe takes it; "sshd:PORT" and "sshd:PORT:USER" get
# the user (default: this one) and the key made here appended. COMMAND is what
# the entrypoint runs: after --, else $WSBUILD_START_CMD (split into words),
# else supervisord with /etc/wsbuild/supervisord.conf when that file exists.
#
# Environment: PROBE (default /run/wsbuild/probe/wsbuild-probe), WSBUILD_INIT
# (default /usr/local/bin/wsbuild-init), PROBE_TIMEOUT (default 120s),
# WSBUILD_SUPERVISORD_CONF (default /etc/wsbuild/supervisord.conf).
# The entrypoint gets JUPYTER_TOKEN, VNC_PASSWORD and SSH_AUTHORIZED_KEYS.
# Exit status: 0 proven, 1 not proven (with the tail of the entrypoint's
# output), 2 bad usage.
set -u

die() { echo "start.sh: $*" >&2; exit 2; }

probe=${PROBE:-/run/wsbuild/probe/wsbuild-probe}
init=${WSBUILD_INIT:-/usr/local/bin/wsbuild-init}
timeout=${PROBE_TIMEOUT:-120s}
supervisord_conf=${WSBUILD_SUPERVISORD_CONF:-/etc/wsbuild/supervisord.conf}
[ -x "$probe" ] || die "no probe at $probe (set PROBE)"
[ -x "$init" ] || die "no entrypoint at $init (set WSBUILD_INIT)"
: "${HOME:?start.sh: HOME is not set}"

services=
while [ $# -gt 0 ]; do
	[ "$1" = -- ] && { shift; break; }
	case "$1" in '' | *[[:space:]]*) die "bad service '$1'" ;; esac
	services="$services $1"
	shift
done
[ -n "$services" ] || die "no service to prove"
if [ $# -eq 0 ]; then
	if [ -n "${WSBUILD_START_CMD:-}" ]; then
		set -f
		# shellcheck disable=SC2086 # split into words on purpose
		set -- $WSBUILD_START_CMD
		set +f
	elif [ -f "$supervisord_conf" ]; then
		set -- supervisord -c "$supervisord_conf"
	else
		die "no command: give one after -- or in WSBUILD_START_CMD"
	fi
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/wsbuild-start.XXXXXX") || die "cannot make a temporary folder"
epid=
sub=
# shellcheck disable=SC2317 # run by the EXIT trap
stop() {
	if [ -n "$epid" ]; then
		# The entrypoint leads its own process group (setsid), which may
		# outlive it; supervisord stops its programs on TERM.
		kill -TERM "-$epid" 2>/dev/null || kill -TERM "$epid" 2>/dev/null
		i=0
		while [ ! -e "$work/status" ] && [ "$i" -lt 20 ]; do
			sleep 0.5 2>/dev/null || sleep 1
			i=$((i + 1))
		done
		kill -KILL "-$epid" 2>/dev/null || kill -KILL "$epid" 2>/dev/null
	fi
	[ -n "$sub" ] && wait "$sub" 2>/dev/null
	rm -rf "$work"
}
trap stop EXIT
trap 'exit 130' INT TERM

"$probe" keygen "$work" >"$work/authorized_keys" || { echo "start.sh: wsbuild-probe keygen failed" >&2; exit 1; }
SSH_AUTHORIZED_KEYS=$(cat "$work/authorized_keys")
JUPYTER_TOKEN=wsbuild-check-token
VNC_PASSWORD=wsbuild1
export SSH_AUTHORIZED_KEYS JUPYTER_TOKEN VNC_PASSWORD

user=$(id -un)
args=
for s in $services; do
	case "$s" in
	sshd:*:*:*) ;;
	sshd:*:*) s="$s:$work/id_ed25519" ;;
	sshd:*) s="$s:$user:$work/id_ed25519" ;;
	esac
	args="$args $s"
done

# The entrypoint in a session and process group of its own, its pid in
# $work/pid (setsid execs in place: its caller leads no group), its exit
# status in $work/status when it ends.
log=$work/entrypoint.log
(
	if command -v setsid >/dev/null 2>&1; then
		sh -c 'echo $$ >"$1"; shift; exec setsid "$@"' sh "$work/pid" "$init" "$@"
	else
		sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$work/pid" "$init" "$@"
	fi >"$log" 2>&1 </dev/null
	echo $? >"$work/status.new" && mv "$work/status.new" "$work/status"
) &
sub=$!
while [ ! -s "$work/pid" ] && [ ! -e "$work/status" ]; do sleep 0.1 2>/dev/null || sleep 1; done
epid=$(cat "$work/pid" 2>/dev/null)
echo "start.sh: started $init $* (pid $epid); proving:$args"

# The probe in the background, so that an entrypoint that dies stops the
# wait; both report their exit status in a file.
set -f
(
	# shellcheck disable=SC2086 # one word per service
	"$probe" --timeout "$timeout" $args &
	echo $! >"$work/probe.pid"
	wait $!
	echo $? >"$work/probe.status.new" && mv "$work/probe.status.new" "$work/probe.status"
) &
set +f
while [ ! -e "$work/probe.status" ] && [ ! -e "$work/status" ]; do
	sleep 0.5 2>/dev/null || sleep 1
done
rc=
if [ ! -e "$work/probe.status" ]; then
	sleep 1 # the entrypoint's last words
	rc="the entrypoint exited with status $(cat "$work/status") before every service was proven"
	kill -TERM "$(cat "$work/probe.pid")" 2>/dev/null
	while [ ! -e "$work/probe.status" ]; do sleep 0.1 2>/dev/null || sleep 1; done
elif [ "$(cat "$work/probe.status")" != 0 ]; then
	rc="wsbuild-probe failed"
elif [ -e "$work/status" ]; then
	rc="the entrypoint exited with status $(cat "$work/status")"
fi
if [ -n "$rc" ]; then
	echo "start.sh: FAIL: $rc; the last lines of its output:"
	tail -n 60 "$log" | sed 's/^/  | /'
	exit 1
fi
echo "start.sh: every service proven"
exit 0
