# Checks wsbuild runs as root inside every image (llb/checks.go): no private
# host key in any layer, and the entrypoint sets a hashed password and drops
# to the user.
set -eu
# The pattern is split so that this script, mounted at /run/checks, does not
# match it.
begin='-----BEGIN OPENSSH'
found=$(find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run/checks \) -prune -o \
	-type f -size -64k -print 2>/dev/null | xargs -r grep -l -e "$begin PRIVATE KEY-----" 2>/dev/null || true)
found="$found$(find /etc/ssh -name 'ssh_host_*_key' 2>/dev/null || true)"
if [ -n "$found" ]; then echo "private keys in the image:" >&2; echo "$found" >&2; exit 1; fi

out=$(USER_PASSWORD=wsbuild-check-password /usr/local/bin/wsbuild-init id -u)
[ "$out" = 1000 ] || { echo "the entrypoint ran the command as uid $out, not 1000" >&2; exit 1; }
hash=$(getent shadow user | cut -d: -f2)
case "$hash" in '$'*) ;; *) echo "no hashed password was set for user: $hash" >&2; exit 1;; esac
if grep -rqs wsbuild-check-password /etc; then echo "the password is stored in plain text under /etc" >&2; exit 1; fi
