package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/spec"
)

const viewFamily = `images:
  python:
    base: debian:bookworm
    python: "3.11"
    apt: [git, curl]
    pip: [numpy]
    env: {A: parent, B: parent}
    volumes: [datasets]
    ports: [8080]
    test: [python3 --version]
  desktop:
    from: python
    apt: [curl, vim]
    pip: [torch]
    env: {B: child}
    desktop: {session: xfce}
    sshd: true
    test: [test -x /usr/bin/vim]
`

func viewEntries(t *testing.T) []planEntry {
	t.Helper()
	f, err := spec.Parse("wsbuild.yaml", []byte(viewFamily), spec.WithFS(fstest.MapFS{}))
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.New(f)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := planEntries(p)
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// The merged view holds what the child inherits, with defaults filled in.
func TestSpecViewJSON(t *testing.T) {
	entries := viewEntries(t)
	b, err := json.Marshal(entries[1].Spec)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ key, want string }{
		{"user", `{"gid":1000,"name":"user","uid":1000}`},
		{"home", `"/home/user"`},
		{"pythonVia", `"distro"`},
		{"env", `{"A":"parent","B":"child"}`},
		{"workdir", `"/home/user"`},
		{"volumes", `["datasets"]`},
		{"apt", `["git","curl","vim"]`},
		{"pip", `["numpy","torch"]`},
		{"ports", `["8080/tcp"]`},
		{"features", `{"desktop":{"browser":"firefox","port":5900,"resolution":"1920x1080","session":"xfce","vnc":true},"python":{"version":"3.11","via":"auto"},"sshd":{"port":2222}}`},
		{"tests", `["python3 --version","test -x /usr/bin/vim"]`},
		{"featurePackages", `{"desktop":["xvfb","x11vnc","xauth","x11-utils","dbus-x11","procps","xfce4","xfce4-terminal","firefox-esr"],"python":["python3","python3-venv","python3-pip"],"sshd":["openssh-server"]}`},
	}
	for _, tt := range tests {
		v, _ := json.Marshal(got[tt.key])
		if string(v) != tt.want {
			t.Errorf("%s = %s, want %s", tt.key, v, tt.want)
		}
	}
	if f := entries[0].Spec.Features; len(f) != 1 || f["python"] == nil {
		t.Errorf("parent has features %v, want python only", f)
	}
}

func TestShowSpecText(t *testing.T) {
	entries := viewEntries(t)
	var plain, shown bytes.Buffer
	if err := writePlan(&plain, "text", entries, false); err != nil {
		t.Fatal(err)
	}
	if err := writePlan(&shown, "text", entries, true); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "home") || !strings.HasPrefix(shown.String(), plain.String()) {
		t.Errorf("without --show-spec:\n%s\nwith:\n%s", plain.String(), shown.String())
	}
	for _, want := range []string{
		"\ndesktop:\n  user.gid: 1000\n  user.name: user\n  user.uid: 1000\n  home: /home/user\n  pythonVia: distro\n",
		"  env.B: child\n",
		"  apt: [git, curl, vim]\n",
		"  features.desktop.session: xfce\n",
		"  features.sshd.port: 2222\n",
		`  tests: ["python3 --version", "test -x /usr/bin/vim"]` + "\n",
	} {
		if !strings.Contains(shown.String(), want) {
			t.Errorf("--show-spec lacks %q:\n%s", want, shown.String())
		}
	}
}
