package llb

import (
	"fmt"
	"strings"

	bk "github.com/moby/buildkit/client/llb"
)

// Check is a test run inside a built image. Its state is solved after the
// image and is never exported: a check that fails fails the image's build.
type Check struct {
	// Name says what the check proves, such as "python is 3.11".
	Name string
	// State is the check's run on top of the image.
	State bk.State
}

// checks lists the automatic checks of every feature n has, then the spec's
// test commands of n and its ancestors.
func (b *builder) checks() []Check {
	n := b.node
	u := n.User
	var out []Check
	add := func(name string, root bool, script string, opts ...bk.RunOption) {
		opts = append(opts, bk.AddEnv("HOME", n.Home), bk.Network(bk.NetModeNone),
			bk.WithCustomName(fmt.Sprintf("[%s] check: %s", n.Name, name)))
		if root {
			opts = append(opts, bk.User("0:0"))
		}
		args := bk.Args([]string{"/bin/sh", "-c", "set -eu\n" + script})
		out = append(out, Check{Name: name, State: b.state.Run(append([]bk.RunOption{args}, opts...)...).Root()})
	}
	add(fmt.Sprintf("runs as %s (%d:%d)", u.Name, u.UID, u.GID), false, fmt.Sprintf(`want="%[1]d:%[2]d"
have="$(id -u):$(id -g)"
[ "$have" = "$want" ] || { echo "the image runs as $have, not $want" >&2; exit 1; }
acct="$(id -u %[3]s):$(id -g %[3]s)"
[ "$acct" = "$want" ] || { echo "account %[3]s is $acct, not $want" >&2; exit 1; }
[ -O %[4]s ] || { echo "%[4]s is not owned by %[3]s" >&2; exit 1; }`, u.UID, u.GID, shellQuote(u.Name), shellQuote(n.Home)))
	add("no sudo", false, `if command -v sudo >/dev/null 2>&1; then echo "sudo is installed: $(command -v sudo)" >&2; exit 1; fi
for g in $(id -Gn); do
	case "$g" in sudo|wheel|admin|root) echo "the user is in group $g" >&2; exit 1;; esac
done`)
	add("no private host key", true, `found=$(find / -xdev \( -path /proc -o -path /sys -o -path /dev \) -prune -o \
	-type f -size -64k -print 2>/dev/null | xargs -r grep -l -e '-----BEGIN OPENSSH PRIVATE KEY-----' 2>/dev/null || true)
found="$found$(find /etc/ssh -name 'ssh_host_*_key' 2>/dev/null || true)"
if [ -n "$found" ]; then echo "private keys in the image:" >&2; echo "$found" >&2; exit 1; fi`)
	add("entrypoint sets a password and drops to the user", true, fmt.Sprintf(`out=$(USER_PASSWORD=wsbuild-check-password %[1]s id -u)
[ "$out" = %[2]d ] || { echo "the entrypoint ran the command as uid $out, not %[2]d" >&2; exit 1; }
hash=$(getent shadow %[3]s | cut -d: -f2)
case "$hash" in '$'*) ;; *) echo "no hashed password was set for %[3]s: $hash" >&2; exit 1;; esac
if grep -rqs wsbuild-check-password /etc; then echo "the password is stored in plain text under /etc" >&2; exit 1; fi`,
		InitPath, u.UID, shellQuote(u.Name)))
	if n.Python != "" {
		add("python is "+n.Python, false, fmt.Sprintf(`want=%[1]s
have=$(python -c 'import sys; print("%%d.%%d.%%d" %% sys.version_info[:3])')
case "$have" in "$want"|"$want".*) ;; *) echo "python is $have, not $want" >&2; exit 1;; esac
[ "$(command -v python)" = %[2]s/bin/python ] || { echo "python on PATH is $(command -v python), not the venv's" >&2; exit 1; }
[ -w %[2]s/bin ] || { echo "the venv %[2]s is not writable by the user" >&2; exit 1; }`, shellQuote(n.Python), VenvDir))
	}
	if usesSupervisor(n) {
		var names []string
		for _, p := range programs(n) {
			names = append(names, p.Name)
		}
		add("supervisor config parses", false, fmt.Sprintf(`export WSBUILD_RUN=$(mktemp -d)
/usr/bin/python3 - <<'EOF'
import sys
from supervisor.options import ServerOptions
o = ServerOptions()
o.realize(args=["-c", %[1]q])
have = sorted(g.name for g in o.process_group_configs)
want = sorted(%[2]q.split())
if have != want:
    sys.exit("supervisor programs are %%s, not %%s" %% (have, want))
EOF`, SupervisordConf, strings.Join(names, " ")))
	}
	for _, c := range n.Contribution.Checks {
		var opts []bk.RunOption
		for _, e := range c.Env {
			opts = append(opts, bk.AddEnv(e.Key, e.Value))
		}
		add(c.Name, c.Root, c.Script, opts...)
	}
	for i, t := range n.Tests {
		add(fmt.Sprintf("test %d: %s", i+1, t), false, t)
	}
	return out
}
