package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// staticHello builds ../../testdata/hello as a static linux/amd64 binary.
func staticHello(t *testing.T, dir, name string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-X main.name="+name, "-o", out, "../../testdata/hello")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building testdata/hello: %v\n%s", err, msg)
	}
	return out
}

func TestRunWritesALayoutAndPrintsItsDigest(t *testing.T) {
	dir := t.TempDir()
	fe, probe := staticHello(t, dir, "frontend"), staticHello(t, dir, "probe")
	digests := map[string]string{}
	for _, epoch := range []string{"", "1700000000", "1700000000"} {
		lay := filepath.Join(dir, "layout"+epoch)
		var out, errOut bytes.Buffer
		getenv := func(k string) string {
			if k == "SOURCE_DATE_EPOCH" {
				return epoch
			}
			return ""
		}
		args := []string{"--frontend", fe, "--probe", probe, "--oci-layout", lay}
		if err := run(t.Context(), args, getenv, &out, &errOut); err != nil {
			t.Fatalf("run %q: %v\n%s", args, err, errOut.String())
		}
		got := strings.TrimSpace(out.String())
		idx, err := layout.ImageIndexFromPath(lay)
		if err != nil {
			t.Fatal(err)
		}
		im, err := idx.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		if last := im.Manifests[len(im.Manifests)-1].Digest.String(); got != last {
			t.Errorf("SOURCE_DATE_EPOCH=%q: printed %q, the layout holds %s", epoch, got, last)
		}
		if prev, ok := digests[epoch]; ok && prev != got {
			t.Errorf("SOURCE_DATE_EPOCH=%q: %s, then %s", epoch, prev, got)
		}
		digests[epoch] = got
	}
	if digests[""] == digests["1700000000"] {
		t.Error("SOURCE_DATE_EPOCH did not change the digest")
	}
}

func TestRunRefusesBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--probe", "p", "--push", "r"}, "--frontend and --probe are required"},
		{[]string{"--frontend", "f", "--probe", "p"}, "nothing to do"},
		{[]string{"--frontend", "f", "--probe", "p", "--oci-layout", "d", "--insecure"}, "--insecure goes with --push"},
		{[]string{"--frontend", "f", "--probe", "p", "--push", "r", "extra"}, "unexpected arguments"},
		{[]string{"--frontend", "/nonexistent", "--probe", "p", "--push", "r"}, "reading the frontend binary"},
	} {
		var out, errOut bytes.Buffer
		err := run(t.Context(), tc.args, func(string) string { return "" }, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run %q: err %v, want one containing %q", tc.args, err, tc.want)
		}
	}
}
