package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// wheel builds a minimal pure-Python wheel holding one module that prints
// its name, with a RECORD pip accepts.
func wheel(t *testing.T, pkg, version string) (string, []byte) {
	t.Helper()
	files := map[string]string{
		pkg + "/__init__.py": fmt.Sprintf("NAME = %q\n", pkg),
		fmt.Sprintf("%s-%s.dist-info/METADATA", pkg, version): fmt.Sprintf("Metadata-Version: 2.1\nName: %s\nVersion: %s\n", pkg, version),
		fmt.Sprintf("%s-%s.dist-info/WHEEL", pkg, version):    "Wheel-Version: 1.0\nGenerator: wsbuild-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var record strings.Builder
	for _, name := range []string{pkg + "/__init__.py", fmt.Sprintf("%s-%s.dist-info/METADATA", pkg, version), fmt.Sprintf("%s-%s.dist-info/WHEEL", pkg, version)} {
		body := files[name]
		sum := sha256.Sum256([]byte(body))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", name, base64.RawURLEncoding.EncodeToString(sum[:]), len(body))
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	recordName := fmt.Sprintf("%s-%s.dist-info/RECORD", pkg, version)
	fmt.Fprintf(&record, "%s,,\n", recordName)
	w, err := zw.Create(recordName)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(record.String())); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%s-%s-py3-none-any.whl", pkg, version), buf.Bytes()
}

// servePackageIndex serves the wheels as a PEP 503 simple index on
// 127.0.0.1, the way a private index would, and returns its /simple URL.
// Builds reach it because buildkitd's steps share the host's network.
func servePackageIndex(t *testing.T, pkgs ...string) string {
	t.Helper()
	mux := http.NewServeMux()
	for _, pkg := range pkgs {
		file, body := wheel(t, pkg, "1.0")
		sum := sha256.Sum256(body)
		mux.HandleFunc("/simple/"+pkg+"/", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `<!DOCTYPE html><html><body><a href="/files/%s#sha256=%x">%s</a></body></html>`, file, sum, file)
		})
		mux.HandleFunc("/files/"+file, func(w http.ResponseWriter, r *http.Request) { w.Write(body) })
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(mux)
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL + "/simple"
}
