# Sourced by wsbuild-init: this container's own sshd host key, made now into
# a folder the account owns (the image holds none), and the keys allowed to
# log in, from SSH_AUTHORIZED_KEYS.
if [ ! -e /var/lib/wsbuild/ssh/ssh_host_ed25519_key ]; then
	ssh-keygen -q -t ed25519 -N '' -C "$(hostname)" -f /var/lib/wsbuild/ssh/ssh_host_ed25519_key
fi
if [ -n "${SSH_AUTHORIZED_KEYS:-}" ]; then
	mkdir -p "$HOME/.ssh"
	chmod 700 "$HOME/.ssh"
	printf '%s\n' "$SSH_AUTHORIZED_KEYS" >>"$HOME/.ssh/authorized_keys"
	chmod 600 "$HOME/.ssh/authorized_keys"
fi
