package templates

import (
	"strings"
	"testing"
)

// TestVersionCoversAssets checks that Version carries the format version and
// a digest of the embedded assets, so an asset change moves every input
// digest.
func TestVersionCoversAssets(t *testing.T) {
	if !strings.HasPrefix(Version, FormatVersion+"+") || len(Version) != len(FormatVersion)+17 {
		t.Errorf("Version %q is not %s+DIGEST", Version, FormatVersion)
	}
	saved := osYAML
	defer func() { osYAML = saved }()
	osYAML = append([]byte("# changed\n"), saved...)
	if assetsDigest() == Version[len(FormatVersion)+1:] {
		t.Errorf("changing os.yaml left the assets digest as it was")
	}
}

// TestOSOfBase knows a base by its name whatever registry or namespace
// serves it, and with a digest.
func TestOSOfBase(t *testing.T) {
	for ref, want := range map[string]string{
		"debian:bookworm":                                "debian12",
		"docker.io/library/debian:bookworm":              "debian12",
		"127.0.0.1:5000/library/debian:bookworm":         "debian12",
		"127.0.0.1:5000/wsbuild/debian:bookworm":         "debian12",
		"localhost/debian:12":                            "debian12",
		"registry.example.com/mirror/ubuntu:22.04":       "ubuntu22.04",
		"ubuntu:jammy@sha256:" + strings.Repeat("a", 64): "ubuntu22.04",
		"alpine:3":           "",
		"debian:trixie":      "",
		"myorg/debianish:12": "",
	} {
		got := ""
		if o := OSOfBase(ref); o != nil {
			got = o.Name
		}
		if got != want {
			t.Errorf("OSOfBase(%q) = %q, want %q", ref, got, want)
		}
	}
}
