package main

import (
	"slices"
	"testing"
)

// TestSBOMStepSeconds reads the SBOM steps that ran from a plain progress
// log, not those that came from the cache nor other vertices.
func TestSBOMStepSeconds(t *testing.T) {
	log := `#12 [python] sbom: list the image's packages
#13 [tools] sbom: list the image's packages
#14 [tools] apt-get install tree
#12 0.210 wsbuild-probe: 120 packages written
#12 DONE 1.2s
#13 CACHED
#14 DONE 3.0s
#15 [jupyter] sbom: list the image's packages
#15 DONE 0.8s
`
	if got := sbomStepSeconds(log); !slices.Equal(got, []float64{1.2, 0.8}) {
		t.Errorf("sbomStepSeconds = %v, want [1.2 0.8]", got)
	}
}
