package solve

import (
	"context"
	"fmt"

	bk "github.com/moby/buildkit/client/llb"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	wsllb "github.com/wsbuild/wsbuild/llb"
)

// WithInventory has every build also list the packages its image holds
// (llb.Image.Inventory), for the image's SBOM: Result.Inventory. Default:
// off.
func WithInventory(on bool) Option {
	return func(o *options) error { o.inventory = on; return nil }
}

// inventoryDefinition marshals img's inventory step.
func inventoryDefinition(ctx context.Context, img *wsllb.Image, extra []bk.ConstraintsOpt) (*bk.Definition, error) {
	co := append([]bk.ConstraintsOpt{bk.Platform(img.Config.Platform)}, extra...)
	def, err := img.Inventory.Marshal(ctx, co...)
	if err != nil {
		return nil, fmt.Errorf("marshalling the package listing of image %q: %w", img.Node.Name, err)
	}
	return def, nil
}

// readInventory solves def, the inventory step of an image that built,
// and returns the inventory it wrote.
func readInventory(ctx context.Context, c gateway.Client, def *bk.Definition) ([]byte, error) {
	res, err := c.Solve(ctx, gateway.SolveRequest{Definition: def.ToPB(), Evaluate: true})
	if err != nil {
		return nil, fmt.Errorf("listing the image's packages for its SBOM: %w", err)
	}
	ref, err := res.SingleRef()
	if err != nil {
		return nil, err
	}
	data, err := ref.ReadFile(ctx, gateway.ReadRequest{Filename: wsllb.InventoryFile})
	if err != nil {
		return nil, fmt.Errorf("reading the image's package list for its SBOM: %w", err)
	}
	return data, nil
}
