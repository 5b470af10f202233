package llb

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/solver/pb"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/spec"
	"github.com/wsbuild/wsbuild/templates"
	"google.golang.org/protobuf/proto"
)

// compileCatalogue compiles the stock catalogue with overrides, against
// stand-in bases, and returns its images by name.
func compileCatalogue(t *testing.T, sets ...string) map[string]*Image {
	t.Helper()
	return compileCatalogueWith(t, nil, sets...)
}

// compileCatalogueWith is compileCatalogue with compiler options.
func compileCatalogueWith(t *testing.T, opts []Option, sets ...string) map[string]*Image {
	t.Helper()
	f, err := spec.Parse(templates.CatalogueFile, templates.Catalogue, spec.WithOverrides(sets))
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.New(f)
	if err != nil {
		t.Fatal(err)
	}
	bases := map[string]Base{}
	for i, ref := range p.Bases() {
		bases[ref] = Base{
			Ref:    fmt.Sprintf("%s@sha256:%064d", ref, i),
			Config: []byte(`{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/bin:/usr/bin:/bin"]}}`),
		}
	}
	images, err := Compile(p, bases, append([]Option{WithPlatform(amd64)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*Image{}
	for _, img := range images {
		out[img.Node.Name] = img
	}
	return out
}

// steps lists what an image's LLB runs and pulls: each exec's command line
// and each source's identifier.
func steps(t *testing.T, img *Image) []string {
	t.Helper()
	def, err := img.Definition(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, raw := range def.Def {
		var o pb.Op
		if err := proto.Unmarshal(raw, &o); err != nil {
			t.Fatal(err)
		}
		switch op := o.Op.(type) {
		case *pb.Op_Exec:
			out = append(out, strings.Join(op.Exec.Meta.Args, " "))
		case *pb.Op_Source:
			out = append(out, op.Source.Identifier)
		}
	}
	return out
}

func hasStep(steps []string, part string) bool {
	return slices.ContainsFunc(steps, func(s string) bool { return strings.Contains(s, part) })
}

// TestCatalogueLegs proves from the LLB which base, PyTorch index and
// packages each leg of the catalogue uses.
func TestCatalogueLegs(t *testing.T) {
	tests := []struct {
		name       string
		sets       []string
		base       string
		torchIndex string
		tensorflow string
		nvidia     bool
		want       []string // parts of steps every leg has
		wantNot    []string
	}{
		{
			name: "debian12 cpu", base: "docker.io/library/debian:bookworm@", torchIndex: "https://download.pytorch.org/whl/cpu",
			tensorflow: "pip install --disable-pip-version-check --cache-dir /var/cache/wsbuild-pip tensorflow",
			want:       []string{"python3 -m venv --system-site-packages /opt/venv", "python3-venv", "firefox-esr", "lxde-core"},
			wantNot:    []string{"uv python install"},
		},
		{
			name: "debian12 cuda 12.4", sets: []string{`python.cuda="12.4"`}, base: "docker.io/library/debian:bookworm@",
			torchIndex: "https://download.pytorch.org/whl/cu124", tensorflow: "tensorflow[and-cuda]", nvidia: true,
			want: []string{"python3 -m venv --system-site-packages /opt/venv"},
		},
		{
			name: "ubuntu22.04 cpu", sets: []string{"python.base=ubuntu:22.04"}, base: "docker.io/library/ubuntu:22.04@",
			torchIndex: "https://download.pytorch.org/whl/cpu", tensorflow: "tensorflow",
			want:    []string{"docker-image://" + templates.UVImage, "uv python install 3.11", "uv venv --seed --python 3.11 /opt/venv"},
			wantNot: []string{"python3 -m venv"},
		},
		{
			name: "ubuntu22.04 cuda 12.4", sets: []string{"python.base=ubuntu:22.04", `python.cuda={version: "12.4", flavor: devel}`},
			base: "docker.io/nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04@", torchIndex: "https://download.pytorch.org/whl/cu124",
			tensorflow: "tensorflow[and-cuda]", nvidia: true, want: []string{"uv python install 3.11"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			images := compileCatalogue(t, tt.sets...)
			all := map[string][]string{}
			for name, img := range images {
				all[name] = steps(t, img)
			}
			if !hasStep(all["python"], "docker-image://"+tt.base) {
				t.Errorf("python is not built on %s: %q", tt.base, all["python"])
			}
			torch := "--index-url " + tt.torchIndex + " torch torchvision"
			if !hasStep(all["python-pytorch"], torch) {
				t.Errorf("python-pytorch does not run pip install %s: %q", torch, all["python-pytorch"])
			}
			if hasStep(all["python-tensorflow"], "--index-url") {
				t.Errorf("python-tensorflow takes TensorFlow from the PyTorch index: %q", all["python-tensorflow"])
			}
			if !hasStep(all["python-tensorflow"], tt.tensorflow) {
				t.Errorf("python-tensorflow does not install %s: %q", tt.tensorflow, all["python-tensorflow"])
			}
			if !tt.nvidia && hasStep(all["python-tensorflow"], "[and-cuda]") {
				t.Errorf("the CPU leg installs TensorFlow's CUDA extra: %q", all["python-tensorflow"])
			}
			for _, w := range tt.want {
				if !hasStep(all["python-pytorch-desktop-vnc-sshd"], w) {
					t.Errorf("no step has %q", w)
				}
			}
			for _, w := range tt.wantNot {
				if hasStep(all["python-pytorch-desktop-vnc-sshd"], w) {
					t.Errorf("a step has %q", w)
				}
			}
			for name, img := range images {
				env := img.Config.Config.Env
				hasNvidia := slices.Contains(env, "NVIDIA_VISIBLE_DEVICES=all") && slices.Contains(env, "NVIDIA_DRIVER_CAPABILITIES=compute,utility")
				if hasNvidia != tt.nvidia {
					t.Errorf("%s: NVIDIA variables %v, want %v: %q", name, hasNvidia, tt.nvidia, env)
				}
			}
		})
	}
}
