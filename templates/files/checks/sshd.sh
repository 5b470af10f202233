# Check: sshd accepts the configuration the sshd feature wrote, with a
# throwaway host key, and the host key folder belongs to the user.
d=$(mktemp -d)
ssh-keygen -q -t ed25519 -N '' -f "$d/key"
/usr/sbin/sshd -t -f "$WSBUILD_SSHD_CONFIG" -h "$d/key"
[ -O "$WSBUILD_HOST_KEY_DIR" ] || { echo "$WSBUILD_HOST_KEY_DIR is not owned by the user" >&2; exit 1; }
