package solve

import (
	"maps"
	"testing"
	"time"

	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/wsbuild/wsbuild/internal/spec"
)

func TestExport(t *testing.T) {
	epoch := time.Unix(1700000000, 0).UTC()
	base := []byte(`{"architecture":"amd64","os":"linux"}`)
	level := 3
	for _, tc := range []struct {
		name  string
		exp   export
		attrs map[string]string
		base  bool
	}{
		{"without epoch", export{baseConfig: base}, map[string]string{"tar": "false", "oci-mediatypes": "true"}, false},
		{"with epoch", export{epoch: &epoch, baseConfig: base}, map[string]string{"tar": "false", "oci-mediatypes": "true",
			"source-date-epoch": "1700000000", "rewrite-timestamp": "true"}, true},
		{"gzip is the default", export{compression: spec.Compression{Type: "gzip"}}, map[string]string{"tar": "false", "oci-mediatypes": "true"}, false},
		{"zstd with a level", export{compression: spec.Compression{Type: "zstd", Level: &level}}, map[string]string{"tar": "false", "oci-mediatypes": "true",
			"compression": "zstd", "compression-level": "3", "force-compression": "true"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.exp.attrs(); !maps.Equal(got, tc.attrs) {
				t.Errorf("attrs = %v, want %v", got, tc.attrs)
			}
			res := gateway.NewResult()
			tc.exp.addMeta(res)
			if got := string(res.Metadata[exptypes.ExporterImageBaseConfigKey]); (got != "") != tc.base || tc.base && got != string(base) {
				t.Errorf("base config meta = %q, want it: %v", got, tc.base)
			}
		})
	}
}
