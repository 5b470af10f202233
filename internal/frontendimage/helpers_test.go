package frontendimage

import (
	"archive/tar"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// built caches the test binaries by GOARCH and name for the whole run.
var built sync.Map

// hello returns a static build of testdata/hello for goarch, its main.name
// set to name, so that two names give two different binaries.
func hello(t *testing.T, goarch, name string) []byte {
	t.Helper()
	key := goarch + "/" + name
	if b, ok := built.Load(key); ok {
		return b.([]byte)
	}
	out := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-X main.name="+name, "-o", out, "./testdata/hello")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building testdata/hello for %s: %v\n%s", goarch, err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	built.Store(key, b)
	return b
}

// testBinaries are two different static amd64 binaries.
func testBinaries(t *testing.T) Binaries {
	return Binaries{Frontend: hello(t, "amd64", "frontend"), Probe: hello(t, "amd64", "probe")}
}

// mustAssemble assembles b or fails t.
func mustAssemble(t *testing.T, b Binaries, opts ...Option) v1.Image {
	t.Helper()
	img, err := Assemble(b, opts...)
	if err != nil {
		t.Fatalf("Assemble: %v", err)
	}
	return img
}

// digest returns img's manifest digest or fails t.
func digest(t *testing.T, img v1.Image) v1.Hash {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// entry is one tar header of a layer, with the bytes of a regular file.
type entry struct {
	hdr  *tar.Header
	data []byte
}

// entries lists the uncompressed tar of l in order.
func entries(t *testing.T, l v1.Layer) []entry {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var out []entry
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("reading the layer: %v", err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, entry{h, data})
	}
}
