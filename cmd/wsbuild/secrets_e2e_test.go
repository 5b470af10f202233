package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wsbuild/wsbuild/internal/attest"
	"github.com/wsbuild/wsbuild/internal/rig"
	"github.com/wsbuild/wsbuild/internal/testenv"
)

// secretSpec installs a package from a private index whose password is a
// build secret, and checks inside the build that it imports; a build step
// asks for the same secret and fetches from the index with it.
const secretSpec = `secrets:
  pypi: {env: WSBUILD_TEST_PYPI}
images:
  app:
    base: debian:bookworm
    python: "3.11"
    pip: [hello-ws]
    pip_index: {url: "http://%[1]s/simple", user: ci, secret: pypi}
    test: ["python -c 'import hello_ws; print(hello_ws.GREETING)'"]
    steps:
      - name: fetch with the secret
        secrets: [pypi]
        run: |
          python3 -c "import base64, urllib.request as u; t = open('/run/secrets/pypi').read(); h = {'Authorization': 'Basic ' + base64.b64encode(('ci:' + t).encode()).decode()}; u.urlopen(u.Request('http://%[1]s/simple/hello-ws/', headers=h)).read(); open('fetched-with-secret', 'w').write('ok')"
    tag: "1"
push:
  - {registry: %[2]s, namespace: secrets, insecure: true}
`

// TestPipSecret serves a package index on loopback that wants basic
// authentication, and builds an image whose pip install reads the password
// from a build secret: without the secret, the build fails with pip's
// error; with it, the package installs and imports in the checks, and a
// steps: entry that asks for the secret reads it at /run/secrets; the
// secret's bytes are in no pushed layer or config, in the progress output
// or in the metadata file; and a new secret value rebuilds nothing.
func TestPipSecret(t *testing.T) {
	testenv.NeedsRealRig(t)
	r := rig.ForTest(t)
	useRig(t, r)
	const secret, rotated = "s3cr3t-pip-token-91ab", "s3cr3t-pip-token-rotated"
	idx := servePrivateIndex(t, "ci", secret, rotated)
	dir := t.TempDir()
	specFile := filepath.Join(dir, "wsbuild.yaml")
	write(t, specFile, fmt.Sprintf(secretSpec, idx.addr, r.Registry))
	var outputs bytes.Buffer
	build := func(meta string) (int, string) {
		t.Helper()
		args := []string{"build", "-f", specFile, "--push", "--progress", "plain"}
		if meta != "" {
			args = append(args, "--metadata-file", meta)
		}
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), args, &stdout, &stderr)
		outputs.Write(stdout.Bytes())
		outputs.Write(stderr.Bytes())
		return code, stderr.String()
	}

	t.Setenv("WSBUILD_TEST_PYPI", "")
	code, stderr := build("")
	if code != 1 {
		t.Fatalf("the build without the secret exited %d, want 1:\n%s", code, lastLines(stderr, 30))
	}
	for _, want := range []string{`warning: secret "pypi": $WSBUILD_TEST_PYPI is not set or empty`, "No matching distribution found for hello-ws"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the failed build does not say %q:\n%s", want, lastLines(stderr, 30))
		}
	}
	if idx.authorized.Load() != 0 {
		t.Errorf("the index let %d requests through without the secret", idx.authorized.Load())
	}

	t.Setenv("WSBUILD_TEST_PYPI", secret)
	meta := filepath.Join(dir, "meta.json")
	if code, stderr := build(meta); code != 0 {
		t.Fatalf("the build with the secret exited %d:\n%s", code, lastLines(stderr, 40))
	}
	if idx.downloads.Load() == 0 {
		t.Errorf("the wheel was never downloaded from the private index")
	}
	img := pull(t, r.Registry+"/secrets/app:1")
	b, err := os.ReadFile(meta)
	if err != nil {
		t.Fatal(err)
	}
	outputs.Write(b)
	for _, s := range []string{secret, base64.StdEncoding.EncodeToString([]byte("ci:" + secret))} {
		if imageContains(t, img, []byte(s)) {
			t.Errorf("the pushed image holds the secret in its config or a layer")
		}
		if bytes.Contains(outputs.Bytes(), []byte(s)) {
			t.Errorf("the secret is in wsbuild's output or the metadata file")
		}
	}
	// The SBOM and the provenance: the secret's id, never its value.
	sts, _ := statementsOf(t, r.Registry+"/secrets/app:1")
	for _, st := range sts {
		data, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{secret, base64.StdEncoding.EncodeToString([]byte("ci:" + secret))} {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("the %s attestation holds the secret", st.PredicateType)
			}
		}
		if st.PredicateType == attest.PredicateSLSA1 && !bytes.Contains(data, []byte(`"secrets":["pypi"]`)) {
			t.Errorf("the provenance does not name the secret pypi the image used: %s", data)
		}
	}
	if len(sts) != 2 {
		t.Errorf("app has %d attestations, want the SBOM and the provenance", len(sts))
	}
	if _, ok := files(t, img)["home/user/fetched-with-secret"]; !ok {
		t.Errorf("the step that asks for the secret did not fetch from the index with it")
	}
	if _, ok := files(t, img)["run/secrets/pypi"]; ok {
		t.Errorf("the secret's mount point is in the image")
	}
	if m := readMetadata(t, meta)["app"]; m == nil || m["pushed"] != true {
		t.Fatalf("app was not pushed: %v", m)
	}

	// A rotated secret is not a change to the image.
	t.Setenv("WSBUILD_TEST_PYPI", rotated)
	meta2 := filepath.Join(dir, "meta2.json")
	if code, stderr := build(meta2); code != 0 {
		t.Fatalf("the build with the rotated secret exited %d:\n%s", code, lastLines(stderr, 30))
	}
	if m := readMetadata(t, meta2)["app"]; m == nil || m["action"] != "skip" {
		t.Errorf("a new secret value rebuilt app: %v", m)
	}
}

// privateIndex is a PEP 503 package index that serves one wheel, hello-ws
// 1.0, to requests with basic authentication as user with one of its
// passwords.
type privateIndex struct {
	addr                  string
	authorized, downloads atomic.Int32
}

func servePrivateIndex(t *testing.T, user string, passwords ...string) *privateIndex {
	t.Helper()
	wheel := helloWheel(t)
	const file = "hello_ws-1.0-py3-none-any.whl"
	sum := sha256.Sum256(wheel)
	idx := &privateIndex{}
	idx.addr = serveWithBasicAuth(t, user, passwords, &idx.authorized, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch req.URL.Path {
		case "/simple/hello-ws/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<!DOCTYPE html><html><body><a href="/files/%s#sha256=%s">%s</a></body></html>`, file, hex.EncodeToString(sum[:]), file)
		case "/files/" + file:
			idx.downloads.Add(1)
			_, _ = w.Write(wheel)
		default:
			http.NotFound(w, req)
		}
	}))
	return idx
}

// serveWithBasicAuth serves h on a loopback port until the test ends, to
// requests with basic authentication as user with one of passwords (counted
// in authorized); others get 401. It returns the address.
func serveWithBasicAuth(t *testing.T, user string, passwords []string, authorized *atomic.Int32, h http.Handler) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		u, p, ok := req.BasicAuth()
		if !ok || u != user || !slices.Contains(passwords, p) {
			w.Header().Set("WWW-Authenticate", `Basic realm="private"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		authorized.Add(1)
		h.ServeHTTP(w, req)
	})}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String()
}

// helloWheel builds the wheel of hello-ws 1.0, a module with one constant.
func helloWheel(t *testing.T) []byte {
	t.Helper()
	files := []struct{ name, body string }{
		{"hello_ws/__init__.py", "GREETING = \"hello from the private index\"\n"},
		{"hello_ws-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: hello-ws\nVersion: 1.0\n"},
		{"hello_ws-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: wsbuild-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"},
	}
	var record strings.Builder
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		add(f.name, f.body)
		sum := sha256.Sum256([]byte(f.body))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", f.name, base64.RawURLEncoding.EncodeToString(sum[:]), len(f.body))
	}
	record.WriteString("hello_ws-1.0.dist-info/RECORD,,\n")
	add("hello_ws-1.0.dist-info/RECORD", record.String())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
