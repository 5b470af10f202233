package solve

import (
	"strconv"
	"time"

	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/wsbuild/wsbuild/internal/spec"
	wsllb "github.com/wsbuild/wsbuild/llb"
)

// export is how one image is exported: as OCI content, and with a source
// date epoch reproducibly.
type export struct {
	// epoch is the time to clamp timestamps to; nil when unset.
	epoch *time.Time
	// baseConfig is the config of the chain's external base.
	baseConfig []byte
	// compression is how the layers the image adds are compressed.
	compression spec.Compression
}

func exportOf(img *wsllb.Image) export {
	return export{epoch: img.SourceDateEpoch, baseConfig: img.BaseConfig, compression: img.Compression}
}

// attrs are the OCI exporter's attributes. With an epoch, BuildKit clamps
// the config's created time, every history entry's and the time of every
// file in the image's own layers to it, as buildx does for SOURCE_DATE_EPOCH.
func (e export) attrs() map[string]string {
	attrs := map[string]string{"tar": "false", "oci-mediatypes": "true"}
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
