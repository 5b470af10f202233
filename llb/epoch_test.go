package llb

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/moby/buildkit/solver/pb"
	"google.golang.org/protobuf/proto"
)

// stamps lists the created time of every file action of img's LLB (-1 for
// none) and whether every exec sees env, by action or exec.
func stamps(t *testing.T, img *Image, env string) (times map[string]int64, execs map[string]bool) {
	t.Helper()
	def, err := img.Definition(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	times, execs = map[string]int64{}, map[string]bool{}
	for _, raw := range def.Def {
		var o pb.Op
		if err := proto.Unmarshal(raw, &o); err != nil {
			t.Fatal(err)
		}
		if e := o.GetExec(); e != nil {
			execs[fmt.Sprint(e.Meta.Args)] = slices.Contains(e.Meta.Env, env)
		}
		for _, a := range o.GetFile().GetActions() {
			switch {
			case a.GetMkdir() != nil:
				times["mkdir "+a.GetMkdir().Path] = a.GetMkdir().Timestamp
			case a.GetMkfile() != nil:
				times["mkfile "+a.GetMkfile().Path] = a.GetMkfile().Timestamp
			case a.GetCopy() != nil:
				times["copy "+a.GetCopy().Src+" "+a.GetCopy().Dest] = a.GetCopy().Timestamp
			}
		}
	}
	return times, execs
}

// TestSourceDateEpoch checks that with an epoch every file the compiler
// writes or copies carries it, every build step sees it, and the config and
// the Image carry it; and that without one none of this is there (the golden
// files check the rest).
func TestSourceDateEpoch(t *testing.T) {
	epoch := time.Unix(1700000000, 0)
	const env = EnvSourceDateEpoch + "=1700000000"
	all := func(opts ...Option) []*Image {
		images := compileFile(t, "family.yaml", opts...)
		for _, img := range compileCatalogueWith(t, opts, "python.base=ubuntu:22.04") {
			images = append(images, img)
		}
		return images
	}
	for _, tc := range []struct {
		name string
		opts []Option
		want int64 // every file action's timestamp
	}{
		{"with epoch", []Option{WithSourceDateEpoch(epoch.In(time.FixedZone("x", 3600)))}, epoch.UnixNano()},
		{"without", nil, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kinds := map[string]bool{}
			for _, img := range all(tc.opts...) {
				times, execs := stamps(t, img, env)
				if len(times) == 0 || len(execs) == 0 {
					t.Fatalf("%s: no file actions or execs to check", img.Node.Name)
				}
				for a, ts := range times {
					kinds[a[:4]] = true
					if ts != tc.want {
						t.Errorf("%s: %s has timestamp %d, want %d", img.Node.Name, a, ts, tc.want)
					}
				}
				for e, has := range execs {
					if has != (tc.want >= 0) {
						t.Errorf("%s: exec %s has %s: %v", img.Node.Name, e, env, has)
					}
				}
				created, ok := img.Config.Created, tc.want >= 0
				if ok && (created == nil || !created.Equal(epoch) || created.Location() != time.UTC) {
					t.Errorf("%s: config created = %v, want %v in UTC", img.Node.Name, created, epoch)
				}
				if !ok && created != nil {
					t.Errorf("%s: config created = %v without an epoch", img.Node.Name, created)
				}
				if got := img.SourceDateEpoch; ok != (got != nil) || ok && !got.Equal(epoch) {
					t.Errorf("%s: Image.SourceDateEpoch = %v", img.Node.Name, got)
				}
				if len(img.BaseConfig) == 0 {
					t.Errorf("%s: no base config", img.Node.Name)
				}
			}
			for _, k := range []string{"mkdi", "mkfi", "copy"} {
				if !kinds[k] {
					t.Errorf("no %s action was checked", k)
				}
			}
		})
	}
}

// TestCompileTakesThePlansEpoch checks that a plan's source date epoch
// reaches the compiled images without an option, as it must for a caller
// that only holds the plan and its bases (a BuildKit frontend).
func TestCompileTakesThePlansEpoch(t *testing.T) {
	images := compileYAML(t, "images:\n  python:\n    base: debian:bookworm\nsource_date_epoch: 1700000000\n")
	if got := images[0].SourceDateEpoch; got == nil || got.Unix() != 1700000000 {
		t.Errorf("Image.SourceDateEpoch = %v, want the plan's 1700000000", got)
	}
	if got := images[0].Config.Created; got == nil || got.Unix() != 1700000000 {
		t.Errorf("config created = %v, want the plan's epoch", got)
	}
}
