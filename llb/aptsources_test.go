package llb

import (
	"context"
	"strings"
	"testing"

	"github.com/moby/buildkit/solver/pb"
)

// TestAptSources proves the image with apt_sources: writes each source's
// key and sources file before its apt steps; every apt step of it and of
// its child reads the login of the source that wants one from a secret in
// its environment, writes it into a tmpfs only (and unsets the secret), points
// apt's update and downloads at it, and shares package lists with the
// images that read the same sources only.
func TestAptSources(t *testing.T) {
	images := compileFile(t, "apt-sources.yaml")
	lists := map[string]string{}
	for _, img := range images {
		def, err := img.Definition(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var apt int
		for _, raw := range def.Def {
			var op pb.Op
			if err := op.Unmarshal(raw); err != nil {
				t.Fatal(err)
			}
			name := def.Metadata[digestFrom(digestOf(raw))].Description["llb.customname"]
			if f := op.GetFile(); f != nil && strings.Contains(name, "apt sources") {
				var files []string
				for _, a := range f.Actions {
					if mk := a.GetMkfile(); mk != nil {
						files = append(files, mk.Path+": "+string(mk.Data))
					}
				}
				got := strings.Join(files, "\n")
				if img.Node.Name == "base" && (!strings.Contains(got, "/etc/apt/keyrings/wsbuild-internal.asc: -----BEGIN PGP") ||
					!strings.Contains(got, "Signed-By: /etc/apt/keyrings/wsbuild-internal.asc")) {
					t.Errorf("%s writes %s", name, got)
				}
			}
			exec := op.GetExec()
			if exec == nil || !strings.Contains(name, "apt-get install") {
				continue
			}
			apt++
			script := strings.Join(exec.Meta.Args, " ")
			var tmpfs bool
			for _, m := range exec.Mounts {
				tmpfs = tmpfs || (m.MountType == pb.MountType_TMPFS && m.Dest == aptAuthTmpfs)
				if m.MountType == pb.MountType_CACHE && m.Dest == aptShared {
					lists[name] = m.CacheOpt.ID
				}
			}
			if !tmpfs || len(exec.Secretenv) != 1 || exec.Secretenv[0].ID != "aptauth" ||
				!strings.Contains(script, "apt.example.org/debian ci \"$WSBUILD_APT_SECRET_0\" > /run/wsbuild-apt-auth/wsbuild-internal.conf)\nunset WSBUILD_APT_SECRET_0\n") ||
				strings.Count(script, "-o Dir::Etc::netrcparts=/run/wsbuild-apt-auth") != 2 {
				t.Errorf("%s: tmpfs %v, secrets %v, script %q: want the login of internal from secret aptauth in a tmpfs", name, tmpfs, exec.Secretenv, script)
			}
		}
		if apt == 0 {
			t.Errorf("%s has no apt step", img.Node.Name)
		}
	}
	if a, b := lists["[base] apt-get install internal-tools"], lists["[child] apt-get install lab-tools"]; a == b || !strings.HasPrefix(a, "wsbuild/apt/debian:bookworm/") {
		t.Errorf("package lists %q and %q: want one per set of sources", a, b)
	}
}
