package llb

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/wsbuild/wsbuild/internal/oci"
	"github.com/wsbuild/wsbuild/internal/plan"
)

// imageConfig derives n's OCI config from its parent's (or its base's)
// config; with a source date epoch, that is its creation time.
func imageConfig(n *plan.Node, cfg ocispec.Image, extraEnv []plan.EnvVar, epoch *time.Time) ocispec.Image {
	if epoch != nil {
		created := *epoch
		cfg.Created = &created
	}
	c := &cfg.Config
	c.Env = mergeEnv(c.Env, extraEnv)
	c.Env = mergeEnv(c.Env, n.Env)
	c.User = fmt.Sprintf("%d:%d", n.User.UID, n.User.GID)
	c.WorkingDir = n.Workdir
	if n.Parent == nil {
		c.Entrypoint = []string{InitPath}
	}
	if cmd := command(n); len(cmd) > 0 {
		c.Cmd = slices.Clone(cmd)
	}
	for _, p := range append(n.ServicePorts(), n.Spec.Ports...) {
		if c.ExposedPorts == nil {
			c.ExposedPorts = map[string]struct{}{}
		}
		c.ExposedPorts[p] = struct{}{}
	}
	if c.Labels == nil {
		c.Labels = map[string]string{}
	}
	delete(c.Labels, oci.LabelParent)
	maps.Copy(c.Labels, n.Spec.Labels)
	c.Labels["org.opencontainers.image.title"] = n.Name
	c.Labels["org.opencontainers.image.version"] = n.Tag
	c.Labels["org.opencontainers.image.base.name"] = n.Base
	if n.BaseDigest != "" {
		c.Labels["org.opencontainers.image.base.digest"] = n.BaseDigest.String()
	}
	if n.Parent != nil {
		c.Labels[oci.LabelParent] = n.Parent.Name
	}
	c.Labels[oci.LabelInputDigest] = n.InputDigest.String()
	return cfg
}

// mergeEnv sets every variable of add in env, replacing earlier values in place.
func mergeEnv(env []string, add []plan.EnvVar) []string {
	out := slices.Clone(env)
	for _, kv := range add {
		entry := kv.Key + "=" + kv.Value
		i := slices.IndexFunc(out, func(e string) bool { return strings.HasPrefix(e, kv.Key+"=") })
		if i >= 0 {
			out[i] = entry
		} else {
			out = append(out, entry)
		}
	}
	return out
}

// cloneConfig deep-copies the parts of a config a child changes.
func cloneConfig(in ocispec.Image) ocispec.Image {
	out := ocispec.Image{Platform: in.Platform}
	c := in.Config
	out.Config = ocispec.ImageConfig{
		User: c.User, WorkingDir: c.WorkingDir, StopSignal: c.StopSignal,
		Env: slices.Clone(c.Env), Cmd: slices.Clone(c.Cmd), Entrypoint: slices.Clone(c.Entrypoint),
		ExposedPorts: maps.Clone(c.ExposedPorts), Volumes: maps.Clone(c.Volumes), Labels: maps.Clone(c.Labels),
	}
	return out
}
