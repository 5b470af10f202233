#!/bin/sh
# wsbuild-init: the entrypoint of every wsbuild image.
#
# Started as root (docker run --user 0), it sets the account's password from
# USER_PASSWORD, or to a random one it prints once, and drops to the account
# before anything else runs. Started as the account (the image's default
# user), no password is set: the image holds none, so password logins stay
# off. Then it sources the scripts in /etc/wsbuild/init.d, which prepare the
# image's services (VNC password, sshd host keys, Jupyter token), and execs
# the command: supervisord when the image runs several services, else the
# one service or the image's run command.
set -eu

secret() { head -c 24 /dev/urandom | base64 | tr -d '/+=\n' | cut -c1-20; }

if [ "$(id -u)" = 0 ]; then
	user=$(cat /etc/wsbuild/user)
	password=${USER_PASSWORD:-}
	unset USER_PASSWORD
	if [ -z "$password" ]; then
		password=$(secret)
		echo "wsbuild-init: generated password for $user: $password" >&2
	fi
	# chpasswd stores the password hashed (ENCRYPT_METHOD in login.defs).
	printf '%s:%s\n' "$user" "$password" | chpasswd
	export WSBUILD_PASSWORD_SET=1
	home=$(getent passwd "$user" | cut -d: -f6)
	exec setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups \
		env HOME="$home" USER="$user" LOGNAME="$user" "$0" "$@"
fi

export WSBUILD_RUN="${WSBUILD_RUN:-/tmp/wsbuild-$(id -u)}"
mkdir -p "$WSBUILD_RUN"
chmod 700 "$WSBUILD_RUN"
for f in /etc/wsbuild/init.d/*.sh; do
	[ -e "$f" ] || continue
	# shellcheck source=/dev/null # each feature's init.d script, linted on its own
	. "$f"
done
[ $# -gt 0 ] || set -- /bin/bash -l
exec "$@"
