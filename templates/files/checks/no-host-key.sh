# Check (as root): no file of the image holds an OpenSSH private key (its
# first line on a line of its own: libraries quote it inside lines), and
# there is no sshd host key; the container makes its own at start.
# The pattern is split so that this script does not match it where it is
# mounted.
begin='-----BEGIN OPENSSH'
found=$(find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run/checks \) -prune -o \
	-type f -size -64k -exec grep -l -x -e "$begin PRIVATE KEY-----" {} + 2>/dev/null || true)
found="$found$(find /etc/ssh -name 'ssh_host_*_key' 2>/dev/null || true)"
if [ -n "$found" ]; then echo "private keys in the image:" >&2; echo "$found" >&2; exit 1; fi
