# Check: the image runs as the account it was built for, and the account and
# its home folder have that uid:gid. Set by the compiler: CHECK_USER,
# CHECK_UID, CHECK_GID, CHECK_HOME.
want="$CHECK_UID:$CHECK_GID"
have="$(id -u):$(id -g)"
[ "$have" = "$want" ] || { echo "the image runs as $have, not $want" >&2; exit 1; }
acct="$(id -u "$CHECK_USER"):$(id -g "$CHECK_USER")"
[ "$acct" = "$want" ] || { echo "account $CHECK_USER is $acct, not $want" >&2; exit 1; }
[ -O "$CHECK_HOME" ] || { echo "$CHECK_HOME is not owned by $CHECK_USER" >&2; exit 1; }
