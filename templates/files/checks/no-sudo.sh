# Check: sudo is not installed and the user is in no admin group.
if command -v sudo >/dev/null 2>&1; then echo "sudo is installed: $(command -v sudo)" >&2; exit 1; fi
for g in $(id -Gn); do
	case "$g" in sudo | wheel | admin | root) echo "the user is in group $g" >&2; exit 1 ;; esac
done
