package llb

import (
	"fmt"
	"path"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/wsbuild/wsbuild/internal/feature"
)

// InventoryFile is the file, in the Inventory state, that lists what the
// image holds: the JSON wsbuild-probe sbom writes (see package sbom).
const InventoryFile = "inventory.json"

// inventoryDir is where the inventory step writes InventoryFile.
const inventoryDir = "/run/wsbuild/inventory"

// inventory is the step that reads the finished image's filesystem and
// lists its packages: wsbuild-probe sbom, mounted from outside the image
// like the start check's probe, as root and with no network, reading the
// dpkg database and the Python virtual environment's distributions. Its
// state is the folder holding InventoryFile; like a check, it is never
// exported with the image.
func (b *builder) inventory() bk.State {
	opts := append(b.probeMount(),
		bk.Args([]string{b.probePath(), "sbom", "--root", "/", "--venv", feature.VenvDir, "--out", path.Join(inventoryDir, InventoryFile)}),
		bk.User("0:0"), bk.Network(bk.NetModeNone),
		bk.WithCustomName(fmt.Sprintf("[%s] sbom: list the image's packages", b.node.Name)))
	return b.state.Run(opts...).AddMount(inventoryDir, bk.Scratch())
}

// probePath is where steps that mount the probe (probeMount) run it from.
func (b *builder) probePath() string {
	if p := b.probe; p != nil {
		return path.Join(probeDir, path.Base(p.file))
	}
	return path.Join(probeDir, ProbeBinary)
}
