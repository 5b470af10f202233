package solve

import (
	"fmt"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/plugins/content/local"
	bkclient "github.com/moby/buildkit/client"
)

// layoutStores attaches the OCI layouts a build reads bases from (folder
// by store ID) to its session, as buildctl's --oci-layout does.
func layoutStores(opt *bkclient.SolveOpt, layouts map[string]string) error {
	if len(layouts) == 0 {
		return nil
	}
	opt.OCIStores = map[string]content.Store{}
	for id, dir := range layouts {
		cs, err := local.NewStore(dir)
		if err != nil {
			return fmt.Errorf("opening the OCI layout %s: %w", dir, err)
		}
		opt.OCIStores[id] = cs
	}
	return nil
}
