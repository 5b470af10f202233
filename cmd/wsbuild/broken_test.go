package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// brokenCase is an image built on the catalogue that breaks one check.
type brokenCase struct {
	image, check, spec string
}

// brokenCases lists one image per automatic check (and one for a test:
// command), each breaking exactly that check.
func brokenCases(registry string) []brokenCase {
	return []brokenCase{
		{"broken-uid", "runs as user (1000:1000)", `    from: python
    copy: [{src: broken/passwd, dst: /etc/passwd}]`},
		{"broken-sudo", "no sudo", `    from: python
    apt: [sudo-ldap]`},
		{"broken-python", "python is 3.11", `    from: python
    steps: [{name: the venv taken from the user, run: "chown -R root:root /opt/venv", user: root}]`},
		{"broken-hostkey", "no private host key", `    from: python
    copy: [{src: broken/hostkey, dst: /etc/wsbuild/keys/id_ed25519}]`},
		{"broken-sshd", "sshd -t accepts the config", `    from: python-pytorch-desktop-vnc-sshd
    copy: [{src: broken/sshd_config, dst: /etc/wsbuild/sshd_config}]`},
		{"broken-supervisor", "supervisor config parses", `    from: python-pytorch-desktop-vnc
    copy: [{src: broken/program.conf, dst: /etc/wsbuild/supervisor/zz-broken.conf}]`},
		{"broken-jupyter", "jupyter --version", `    from: python-pytorch-jupyter
    copy: [{src: broken/fail, dst: /usr/local/bin/jupyter}]`},
		{"broken-vnc", "X and VNC start, VNC port 5900 answers", `    from: python-pytorch-desktop-vnc
    copy: [{src: broken/fail, dst: /usr/local/bin/x11vnc}]`},
		{"broken-init", "entrypoint sets a password and drops to the user", `    from: python
    copy: [{src: broken/fail, dst: /etc/wsbuild/init.d/zz-fail.sh}]`},
		{"broken-test", "test 1: python -c 'import no_such_module'", `    from: python
    test: ["python -c 'import no_such_module'"]`},
		// The start check: a desktop whose session never starts its window
		// manager and panel, and Jupyter behind an init script that
		// downloads at start, which the platform's network forbids.
		{"broken-session", "serves at start: vnc:5900 process:openbox,lxpanel", `    from: python-pytorch-desktop-vnc
    copy: [{src: broken/idle, dst: /usr/local/lib/wsbuild/desktop-session}]`},
		{"broken-download", "serves at start: jupyter:8888:python3", `    from: python-pytorch-jupyter
    copy: [{src: broken/download.sh, dst: /etc/wsbuild/init.d/zz-download.sh}]`},
	}
}

// brokenImages writes the files the broken images copy into dir/broken and
// returns their spec entries.
func brokenImages(t *testing.T, dir, registry string) string {
	t.Helper()
	b := filepath.Join(dir, "broken")
	if err := os.MkdirAll(b, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(b, "passwd"), "root:x:0:0:root:/root:/bin/bash\nuser:x:1001:1000::/home/user:/bin/bash\n")
	write(t, filepath.Join(b, "hostkey"), hostKey(t))
	write(t, filepath.Join(b, "sshd_config"), "Port 2222\nNoSuchOption yes\n")
	write(t, filepath.Join(b, "program.conf"), "[program:broken]\nautostart=true\n")
	write(t, filepath.Join(b, "fail"), "#!/bin/sh\nexit 1\n")
	write(t, filepath.Join(b, "idle"), "#!/bin/sh\nexec sleep infinity\n")
	write(t, filepath.Join(b, "download.sh"), "curl -fsS -o /dev/null https://deb.debian.org/debian/\n")
	if err := os.Chmod(filepath.Join(b, "idle"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(b, "fail"), 0o755); err != nil {
		t.Fatal(err)
	}
	var s strings.Builder
	for _, c := range brokenCases(registry) {
		fmt.Fprintf(&s, "  %s:\n%s\n    tag: broken\n", c.image, c.spec)
	}
	return s.String()
}

// brokenBuild builds every broken image in one run and checks that each
// fails with its check named, and that no tag of the run was written.
func brokenBuild(t *testing.T, specPath, dir, registry string) {
	cases := brokenCases(registry)
	args := []string{"build", "-f", specPath, "--set-file", filepath.Join(dir, "offline.sets"), "--push", "--progress", "plain"}
	for _, c := range cases {
		args = append(args, c.image)
	}
	code, stderr := wsbuild(t, args...)
	if code != 1 {
		t.Fatalf("building the broken images: exit %d, want 1\n%s", code, lastLines(stderr, 40))
	}
	for _, c := range cases {
		line := ""
		for _, l := range strings.Split(stderr, "\n") {
			if _, rest, ok := strings.Cut(l, fmt.Sprintf("building image %q: failed checks: ", c.image)); ok {
				line = rest
			}
		}
		if !strings.Contains(line, fmt.Sprintf("%q (exit code: ", c.check)) {
			t.Errorf("the error does not say that %s failed check %q\n%s", c.image, c.check, lastLines(stderr, 40))
		}
		ref, err := name.ParseReference(registry+"/catalogue/"+c.image+":broken", name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := remote.Head(ref); err == nil {
			t.Errorf("%s was pushed although its check failed", ref)
		}
	}
}
