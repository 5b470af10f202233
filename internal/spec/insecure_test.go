package spec

import (
	"strings"
	"testing"
)

func TestPlainHTTPSafe(t *testing.T) {
	for reg, want := range map[string]bool{
		"127.0.0.1:5000": true, "localhost:5000": true, "localhost": true, "[::1]:5000": true,
		"10.1.2.3": true, "172.16.0.9:443": true, "192.168.1.10:5000": true, "[fd00::1]:5000": true,
		"ghcr.io": false, "registry.example.com:5000": false, "8.8.8.8:5000": false, "172.32.0.1": false, "localhost.evil.com": false,
	} {
		if got := PlainHTTPSafe(reg); got != want {
			t.Errorf("PlainHTTPSafe(%q) = %v, want %v", reg, got, want)
		}
	}
}

func TestCheckPlainHTTP(t *testing.T) {
	src := base + "push:\n  - {registry: 127.0.0.1:5000, namespace: a, insecure: true}\n  - registry: registry.example.com\n    namespace: b\n    insecure: true\n"
	f, err := Parse("wsbuild.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.CheckPlainHTTP(nil)
	want := "wsbuild.yaml:8: push.1.insecure: registry.example.com is not a loopback or private address, and plain HTTP would send images and credentials to it unencrypted; give --allow-insecure-registry registry.example.com if that is meant"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
	warnings, err := f.CheckPlainHTTP([]string{"registry.example.com"})
	if err != nil || len(warnings) != 1 || !strings.HasPrefix(warnings[0], "warning: wsbuild.yaml:8: push.1.insecure: pushing to registry.example.com over plain HTTP") {
		t.Errorf("allowed: warnings %q, err %v", warnings, err)
	}
}
