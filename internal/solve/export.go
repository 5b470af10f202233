package solve

import (
	"fmt"
	"strconv"
	"time"

	"github.com/containerd/containerd/v2/core/content"
	bkclient "github.com/moby/buildkit/client"

	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/wsbuild/wsbuild/internal/oci"
	"github.com/wsbuild/wsbuild/internal/spec"
	wsllb "github.com/wsbuild/wsbuild/llb"
)

// DaemonPush says which built images buildkitd pushes by digest itself
// (see WithDaemonPush).
type DaemonPush int

const (
	// PushNone exports every image into the content store.
	PushNone DaemonPush = iota
	// PushEvery has buildkitd push every image that has a tag.
	PushEvery
	// PushMountable has buildkitd push every image that has a tag and
	// whose layers are gzip (the default) or uncompressed, and exports the
	// others (zstd) into the content store: BuildKit labels a layer it
	// pushed with its repository only for those types, and only a labelled
	// layer is mounted into a child's repository instead of sent again.
	PushMountable
)

// mountable says whether BuildKit's pusher can mount layers compressed
// with c into another repository after pushing them (see PushMountable).
func mountable(c spec.Compression) bool {
	return c.Type == "" || c.Type == "gzip" || c.Type == "uncompressed"
}

// export is how one image is exported: as OCI content, and with a source
// date epoch reproducibly.
type export struct {
	// epoch is the time to clamp timestamps to; nil when unset.
	epoch *time.Time
	// baseConfig is the config of the chain's external base.
	baseConfig []byte
	// compression is how the layers the image adds are compressed.
	compression spec.Compression
	// pushTo, when set, is where buildkitd pushes the image by digest
	// itself (see WithDaemonPush) instead of exporting it to wsbuild.
	pushTo *oci.Ref
}

// exportOf is how img is exported; when push names it, buildkitd pushes
// it to the repository of its first tag, when it has one.
func exportOf(img *wsllb.Image, push DaemonPush) export {
	e := export{epoch: img.SourceDateEpoch, baseConfig: img.BaseConfig, compression: img.Compression}
	pushed := push == PushEvery || push == PushMountable && mountable(img.Compression)
	if pushed && len(img.Node.Refs) > 0 {
		e.pushTo = &img.Node.Refs[0]
	}
	return e
}

// entry is the solve's export: into store, or pushed by buildkitd by digest
// (no tag: tags move only once every image of the run built and pushed).
func (e export) entry(store content.Store) bkclient.ExportEntry {
	if e.pushTo == nil {
		return bkclient.ExportEntry{Type: bkclient.ExporterOCI, Attrs: e.attrs(), OutputStore: store}
	}
	return bkclient.ExportEntry{Type: bkclient.ExporterImage, Attrs: e.attrs()}
}

// attrs are the OCI exporter's attributes. With an epoch, BuildKit clamps
// the config's created time, every history entry's and the time of every
// file in the image's own layers to it, as buildx does for SOURCE_DATE_EPOCH.
func (e export) attrs() map[string]string {
	attrs := map[string]string{"tar": "false", "oci-mediatypes": "true"}
	if e.pushTo != nil {
		attrs = map[string]string{"oci-mediatypes": "true",
			string(exptypes.OptKeyName): e.pushTo.Repository, string(exptypes.OptKeyPush): "true",
			string(exptypes.OptKeyPushByDigest): "true", string(exptypes.OptKeyStore): "false"}
		if e.pushTo.Insecure {
			attrs[string(exptypes.OptKeyInsecure)] = "true"
		}
	}
	// Forced: without it, every layer BuildKit has compressed before (the
	// base's, and each step's cached result) would keep its gzip blob.
	if !e.compression.IsDefault() {
		attrs["compression"] = e.compression.Type
		attrs["force-compression"] = "true"
		if e.compression.Level != nil {
			attrs["compression-level"] = strconv.Itoa(*e.compression.Level)
		}
	}
	if e.epoch != nil {
		attrs[string(exptypes.OptKeySourceDateEpoch)] = strconv.FormatInt(e.epoch.Unix(), 10)
		attrs[string(exptypes.OptKeyRewriteTimestamp)] = "true"
	}
	return attrs
}

// addMeta hands the exporter the base's config with an epoch, so it leaves
// the base's layers as they are (and pullable from the base's repository)
// instead of rewriting them.
func (e export) addMeta(res *gateway.Result) {
	if e.epoch != nil && len(e.baseConfig) > 0 {
		res.AddMeta(exptypes.ExporterImageBaseConfigKey, e.baseConfig)
	}
}

// failed is the error of an export that failed after the image built and
// passed its checks; when buildkitd was pushing it, it says so, and how
// to push through wsbuild instead.
func (e export) failed(err error) error {
	if e.pushTo == nil {
		return fmt.Errorf("the image built and passed its checks, but exporting it failed: %w", err)
	}
	return fmt.Errorf("the image built and passed its checks, but buildkitd could not push it to %s "+
		"(buildkitd pushes by default; --push-from wsbuild pushes from here instead): %w",
		e.pushTo.Repository, err)
}
