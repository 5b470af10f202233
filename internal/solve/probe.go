package solve

import (
	"fmt"
	"path/filepath"

	"github.com/tonistiigi/fsutil"
	wsllb "github.com/wsbuild/wsbuild/llb"
)

// probeFS is the folder the start checks mount the probe from: the probe's
// own folder, of which the LLB takes only the file llb.ProbeBinary.
func probeFS(path string) (fsutil.FS, error) {
	if filepath.Base(path) != wsllb.ProbeBinary {
		return nil, fmt.Errorf("the probe %q must be called %s", path, wsllb.ProbeBinary)
	}
	fs, err := fsutil.NewFS(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("opening the probe's folder %q: %w", filepath.Dir(path), err)
	}
	return fs, nil
}
