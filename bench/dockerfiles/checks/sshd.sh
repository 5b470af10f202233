# wsbuild's "sshd -t accepts the config" check.
set -eu
d=$(mktemp -d)
ssh-keygen -q -t ed25519 -N '' -f "$d/key"
/usr/sbin/sshd -t -f /etc/wsbuild/sshd_config -h "$d/key"
[ -O /var/lib/wsbuild/ssh ] || { echo "/var/lib/wsbuild/ssh is not owned by the user" >&2; exit 1; }
