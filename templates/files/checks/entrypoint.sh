# Check (as root): started as root, the entrypoint sets a hashed password for
# the account and runs the command as the account. Set by the compiler:
# CHECK_USER, CHECK_UID.
out=$(USER_PASSWORD=wsbuild-check-password /usr/local/bin/wsbuild-init id -u)
[ "$out" = "$CHECK_UID" ] || { echo "the entrypoint ran the command as uid $out, not $CHECK_UID" >&2; exit 1; }
hash=$(getent shadow "$CHECK_USER" | cut -d: -f2)
case "$hash" in '$'*) ;; *) echo "no hashed password was set for $CHECK_USER: $hash" >&2; exit 1 ;; esac
if grep -rqs wsbuild-check-password /etc; then echo "the password is stored in plain text under /etc" >&2; exit 1; fi
