package solve

import (
	"maps"
	"testing"
	"time"

	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
)

func TestExport(t *testing.T) {
	epoch := time.Unix(1700000000, 0).UTC()
	base := []byte(`{"architecture":"amd64","os":"linux"}`)
	for _, tc := range []struct {
		name  string
		exp   export
		attrs map[string]string
		base  bool
	}{
		{"without epoch", export{baseConfig: base}, map[string]string{"tar": "false", "oci-mediatypes": "true"}, false},
		{"with epoch", export{epoch: &epoch, baseConfig: base}, map[string]string{"tar": "false", "oci-mediatypes": "true",
			"source-date-epoch": "1700000000", "rewrite-timestamp": "true"}, true},
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
