package buildkitd

import (
	"slices"
	"testing"
)

func TestGCArgs(t *testing.T) {
	for _, tc := range []struct {
		limit int64
		want  []string
	}{
		{0, nil},
		{-1, nil},
		{10e9, []string{"--oci-worker-gc-keepstorage", "0,0,20000"}},
		{1, []string{"--oci-worker-gc-keepstorage", "0,0,1"}},
	} {
		if got := gcArgs(tc.limit); !slices.Equal(got, tc.want) {
			t.Errorf("gcArgs(%d) = %q, want %q", tc.limit, got, tc.want)
		}
	}
}
