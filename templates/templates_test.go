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
