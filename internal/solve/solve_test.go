package solve

import (
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"testing"

	bkclient "github.com/moby/buildkit/client"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	"github.com/opencontainers/go-digest"
)

func TestCheckProgress(t *testing.T) {
	for _, tc := range []struct {
		mode string
		ok   bool
	}{
		{"auto", true}, {"tty", true}, {"plain", true}, {"rawjson", true}, {"quiet", true},
		{"", false}, {"fancy", false}, {"PLAIN", false},
	} {
		err := CheckProgress(tc.mode)
		if (err == nil) != tc.ok {
			t.Errorf("CheckProgress(%q) = %v, want ok %v", tc.mode, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), `"`+tc.mode+`"`) {
			t.Errorf("CheckProgress(%q) = %v, want the mode quoted", tc.mode, err)
		}
		// New checks the mode the same way, before it needs a client.
		_, err = New(nil, WithProgress(tc.mode, io.Discard))
		if (err == nil) != tc.ok {
			t.Errorf("New(WithProgress(%q)) = %v, want ok %v", tc.mode, err, tc.ok)
		}
	}
}

func TestCheckFailures(t *testing.T) {
	orig := errors.New("solve failed")
	for _, tc := range []struct {
		name string
		add  map[int]string // check index -> its error message
		want string
	}{
		{"none keeps the error", nil, "solve failed"},
		{"one, step prefix cut", map[int]string{0: `process "/bin/sh -c id -u" did not complete successfully: exit code: 1`},
			`failed checks: "check 0" (exit code: 1); their output is above`},
		{"several, in the image's order", map[int]string{2: "exit code: 2", 0: "exit code: 1", 1: "no such file"},
			`failed checks: "check 0" (exit code: 1), "check 1" (no such file), "check 2" (exit code: 2); their output is above`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f checkFailures
			// Added in map order, which is random: wrap must sort.
			for i, msg := range tc.add {
				f.add(i, "check "+string(rune('0'+i)), errors.New(msg))
			}
			if got := f.wrap(orig).Error(); got != tc.want {
				t.Errorf("wrap = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFailed(t *testing.T) {
	rs := []Result{{Name: "a"}, {Name: "b", Err: errors.New("x")}, {Name: "c", Err: errors.New("y")}}
	if n := Failed(rs); n != 2 {
		t.Errorf("Failed = %d, want 2", n)
	}
	if n := Failed(nil); n != 0 {
		t.Errorf("Failed(nil) = %d, want 0", n)
	}
}

func TestManifestDescriptor(t *testing.T) {
	dg := digest.FromString("manifest")
	enc := func(s string) map[string]string {
		return map[string]string{exptypes.ExporterImageDescriptorKey: base64.StdEncoding.EncodeToString([]byte(s))}
	}
	for _, tc := range []struct {
		name string
		resp map[string]string
		err  string
	}{
		{"descriptor", enc(`{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"` + dg.String() + `","size":123}`), ""},
		{"missing", map[string]string{}, "buildkitd returned no image descriptor"},
		{"not base64", map[string]string{exptypes.ExporterImageDescriptorKey: "%%%"}, "decoding image descriptor"},
		{"not JSON", enc("nope"), "decoding image descriptor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			desc, err := manifestDescriptor(&bkclient.SolveResponse{ExporterResponse: tc.resp})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || desc.Digest != dg || desc.Size != 123 || desc.MediaType != "application/vnd.oci.image.manifest.v1+json" {
				t.Errorf("descriptor %+v, %v", desc, err)
			}
		})
	}
}
