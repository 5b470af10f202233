package solve

import (
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	bkclient "github.com/moby/buildkit/client"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/wsbuild/wsbuild/internal/oci"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/spec"
	wsllb "github.com/wsbuild/wsbuild/llb"
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
		{"pushed by the daemon", export{pushTo: &oci.Ref{Name: "r.example/ns/img:1", Repository: "r.example/ns/img"}},
			map[string]string{"oci-mediatypes": "true", "name": "r.example/ns/img", "push": "true", "push-by-digest": "true", "store": "false"}, false},
		{"pushed by the daemon over plain HTTP, zstd", export{pushTo: &oci.Ref{Name: "127.0.0.1:5000/ns/img:1", Repository: "127.0.0.1:5000/ns/img", Insecure: true},
			compression: spec.Compression{Type: "zstd"}},
			map[string]string{"oci-mediatypes": "true", "name": "127.0.0.1:5000/ns/img", "push": "true", "push-by-digest": "true", "store": "false",
				"registry.insecure": "true", "compression": "zstd", "force-compression": "true"}, false},
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

// TestExportEntry checks that an image buildkitd pushes goes to the image
// exporter with no store, and any other into the store as OCI content.
func TestExportEntry(t *testing.T) {
	if e := (export{}).entry(nil); e.Type != bkclient.ExporterOCI {
		t.Errorf("exported to wsbuild with %q, want %q", e.Type, bkclient.ExporterOCI)
	}
	e := export{pushTo: &oci.Ref{Name: "r/ns/img:1", Repository: "r/ns/img"}}.entry(nil)
	if e.Type != bkclient.ExporterImage || e.OutputStore != nil || e.Attrs["push-by-digest"] != "true" {
		t.Errorf("pushed by the daemon as %+v, want the image exporter pushing by digest", e)
	}
}

// TestExportFailed checks that an export failing after the build says the
// image built, and, when buildkitd was pushing, where to and what to do.
func TestExportFailed(t *testing.T) {
	cause := errors.New("dial tcp 127.0.0.1:5000: connect: connection refused")
	got := export{pushTo: &oci.Ref{Name: "127.0.0.1:5000/ns/img:1", Repository: "127.0.0.1:5000/ns/img"}}.failed(cause).Error()
	for _, want := range []string{"built and passed its checks", "buildkitd could not push it to 127.0.0.1:5000/ns/img", "--push-from wsbuild", "connection refused"} {
		if !strings.Contains(got, want) {
			t.Errorf("error %q does not say %q", got, want)
		}
	}
	if got := (export{}).failed(cause); !errors.Is(got, cause) || strings.Contains(got.Error(), "push-from") {
		t.Errorf("export into the store failing: %v, want the cause and no --push-from hint", got)
	}
}

func TestExportOfPushesWhatTheModeNames(t *testing.T) {
	tagged := &plan.Node{Name: "img", Refs: []oci.Ref{{Name: "r.example/ns/img:1", Repository: "r.example/ns/img"}}}
	zstd, gzip, none := spec.Compression{Type: "zstd"}, spec.Compression{Type: "gzip"}, spec.Compression{Type: "uncompressed"}
	for _, tc := range []struct {
		name   string
		node   *plan.Node
		c      spec.Compression
		push   DaemonPush
		pushed bool
	}{
		{"nothing pushed by the daemon", tagged, spec.Compression{}, PushNone, false},
		{"mountable: the default", tagged, spec.Compression{}, PushMountable, true},
		{"mountable: gzip", tagged, gzip, PushMountable, true},
		{"mountable: uncompressed", tagged, none, PushMountable, true},
		{"mountable: not zstd", tagged, zstd, PushMountable, false},
		{"every: zstd too", tagged, zstd, PushEvery, true},
		{"no tag", &plan.Node{Name: "untagged"}, spec.Compression{}, PushEvery, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := exportOf(&wsllb.Image{Node: tc.node, Compression: tc.c}, tc.push)
			if (e.pushTo != nil) != tc.pushed {
				t.Errorf("pushTo = %v, want pushed by the daemon: %v", e.pushTo, tc.pushed)
			}
		})
	}
}
