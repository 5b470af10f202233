package llb

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/wsbuild/wsbuild/internal/golden"
	"github.com/wsbuild/wsbuild/internal/oci"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/spec"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

var amd64 = ocispec.Platform{OS: "linux", Architecture: "amd64"}

// stubBases stands in for resolved bases: fixed digests and configs.
func stubBases() map[string]Base {
	cfg := []byte(`{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["bash"]}}`)
	return map[string]Base{
		"debian:bookworm": {Ref: "docker.io/library/debian:bookworm@sha256:" + strings.Repeat("a", 64), Config: cfg},
		"ubuntu:22.04":    {Ref: "docker.io/library/ubuntu:22.04@sha256:" + strings.Repeat("b", 64), Config: cfg},
		"nvidia/cuda:12.4.1-runtime-ubuntu22.04": {
			Ref:    "docker.io/nvidia/cuda:12.4.1-runtime-ubuntu22.04@sha256:" + strings.Repeat("c", 64),
			Config: []byte(`{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/nvidia/bin:/usr/local/cuda/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","NVIDIA_VISIBLE_DEVICES=all"]}}`),
		},
	}
}

func compileFile(t *testing.T, name string, opts ...Option) []*Image {
	t.Helper()
	path := filepath.Join("..", "testdata", "compile", name)
	f, err := spec.Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.New(f, plan.WithContext(os.DirFS(filepath.Dir(path))))
	if err != nil {
		t.Fatal(err)
	}
	images, err := Compile(p, stubBases(), append([]Option{WithPlatform(amd64)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return images
}

// compileYAML compiles the spec text yaml with stubBases.
func compileYAML(t *testing.T, yaml string) []*Image {
	t.Helper()
	f, err := spec.Parse("wsbuild.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.New(f)
	if err != nil {
		t.Fatal(err)
	}
	images, err := Compile(p, stubBases(), WithPlatform(amd64))
	if err != nil {
		t.Fatal(err)
	}
	return images
}

// dump renders every image's LLB and config as readable, stable JSON.
func dump(t *testing.T, images []*Image) []byte {
	t.Helper()
	type op struct {
		Digest string          `json:"digest"`
		Name   string          `json:"name,omitempty"`
		Op     json.RawMessage `json:"op"`
	}
	type check struct {
		Name   string `json:"name"`
		Digest string `json:"digest"`
		Ops    []op   `json:"ops"` // the check's own: those not in the image's graph
	}
	type image struct {
		Name   string        `json:"name"`
		Config ocispec.Image `json:"config"`
		Ops    []op          `json:"ops"`
		Checks []check       `json:"checks"`
	}
	var out []image
	for _, img := range images {
		def, err := img.Definition(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		// ops renders the ops of d that are not in skip.
		ops := func(d *bk.Definition, skip map[string]bool) []op {
			var out []op
			for _, raw := range d.Def {
				dg := digestOf(raw)
				if skip[dg] {
					continue
				}
				var o pb.Op
				if err := proto.Unmarshal(raw, &o); err != nil {
					t.Fatal(err)
				}
				js, err := protojson.Marshal(&o)
				if err != nil {
					t.Fatal(err)
				}
				var compact bytes.Buffer
				if err := json.Compact(&compact, js); err != nil {
					t.Fatal(err)
				}
				out = append(out, op{Digest: dg, Name: d.Metadata[digestFrom(dg)].Description["llb.customname"], Op: compact.Bytes()})
			}
			return out
		}
		im := image{Name: img.Node.Name, Config: img.Config, Ops: ops(def, nil)}
		inImage := map[string]bool{}
		for _, raw := range def.Def {
			inImage[digestOf(raw)] = true
		}
		for _, c := range img.Checks {
			cdef, err := c.State.Marshal(context.Background(), bk.Platform(img.Config.Platform))
			if err != nil {
				t.Fatal(err)
			}
			im.Checks = append(im.Checks, check{Name: c.Name, Digest: digestOf(cdef.Def[len(cdef.Def)-1]), Ops: ops(cdef, inImage)})
		}
		out = append(out, im)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func TestGolden(t *testing.T) {
	for _, name := range []string{"family.yaml", "custom-user.yaml", "cuda-path.yaml", "features.yaml", "parts.yaml", "pip-index.yaml", "apt-sources.yaml"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("..", "testdata", "compile", strings.TrimSuffix(name, ".yaml")+".golden.json")
			golden.Check(t, path, dump(t, compileFile(t, name)))
		})
	}
}

func TestDeterministic(t *testing.T) {
	for range 5 {
		a, b := compileFile(t, "family.yaml"), compileFile(t, "family.yaml")
		for j := range a {
			da, err := a[j].Definition(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			db, err := b[j].Definition(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(bytes.Join(da.Def, nil), bytes.Join(db.Def, nil)) {
				t.Fatalf("image %s: two compilations differ", a[j].Node.Name)
			}
		}
	}
}

func TestChildBuildsOnParentState(t *testing.T) {
	images := compileFile(t, "family.yaml")
	parent, child := images[0], images[1]
	pd, err := parent.Definition(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cd, err := child.Definition(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	childOps := map[string]bool{}
	for _, raw := range cd.Def {
		childOps[digestOf(raw)] = true
	}
	for _, raw := range pd.Def {
		var o pb.Op
		if err := proto.Unmarshal(raw, &o); err != nil {
			t.Fatal(err)
		}
		if o.Op == nil { // the terminal op points at the parent's result
			continue
		}
		if !childOps[digestOf(raw)] {
			t.Fatalf("parent op %s is not part of the child's graph", digestOf(raw))
		}
	}
	for _, raw := range cd.Def {
		var o pb.Op
		if err := proto.Unmarshal(raw, &o); err != nil {
			t.Fatal(err)
		}
		if src := o.GetSource(); src != nil && strings.HasPrefix(src.Identifier, "docker-image://") &&
			!strings.Contains(src.Identifier, "debian:bookworm@sha256:") {
			t.Fatalf("child pulls an image other than the base: %s", src.Identifier)
		}
	}
}

func TestConfig(t *testing.T) {
	images := compileFile(t, "family.yaml")
	child := images[1].Config.Config
	if child.User != "1000:1000" {
		t.Errorf("User = %q, want 1000:1000", child.User)
	}
	if child.WorkingDir != "/home/user" {
		t.Errorf("WorkingDir = %q", child.WorkingDir)
	}
	if _, ok := child.ExposedPorts["8888/tcp"]; !ok {
		t.Errorf("ExposedPorts = %v, want 8888/tcp", child.ExposedPorts)
	}
	if strings.Join(child.Cmd, " ") != "python app/main.py" {
		t.Errorf("Cmd = %q", child.Cmd)
	}
	env := strings.Join(child.Env, "\n")
	for _, want := range []string{"LANG=C.UTF-8", "PROJECT=demo", "VIRTUAL_ENV=/opt/venv", "PATH=/opt/venv/bin:/usr/local/sbin"} {
		if !strings.Contains(env, want) {
			t.Errorf("Env lacks %q:\n%s", want, env)
		}
	}
	if strings.Count(env, "PATH=") != 1 {
		t.Errorf("PATH set more than once:\n%s", env)
	}
	labels := child.Labels
	if labels[oci.LabelInputDigest] != images[1].Node.InputDigest.String() || labels[oci.LabelInputDigest] == "" {
		t.Errorf("input digest label = %q", labels[oci.LabelInputDigest])
	}
	if labels[oci.LabelParent] != "python" || labels["org.example.team"] != "research" || labels["org.opencontainers.image.title"] != "lab" {
		t.Errorf("labels = %v", labels)
	}
	if images[0].Config.Config.Labels[oci.LabelParent] != "" {
		t.Errorf("root image has a parent label")
	}
}

func TestVenvKeepsBasePath(t *testing.T) {
	env := strings.Join(compileFile(t, "cuda-path.yaml")[0].Config.Config.Env, "\n")
	want := "PATH=/opt/venv/bin:/usr/local/nvidia/bin:/usr/local/cuda/bin:"
	if !strings.Contains(env, want) || !strings.Contains(env, "NVIDIA_VISIBLE_DEVICES=all") {
		t.Errorf("env lost the base's PATH or variables, want %q in:\n%s", want, env)
	}
}

func TestUnresolvedBase(t *testing.T) {
	path := filepath.Join("..", "testdata", "compile", "custom-user.yaml")
	f, err := spec.Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.New(f)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(p, map[string]Base{})
	if err == nil || !strings.Contains(err.Error(), `base image "ubuntu:22.04" was not resolved`) {
		t.Fatalf("err = %v", err)
	}
}

// TestPure enforces that the compiler stays pure: it must not import the
// BuildKit client or go-containerregistry's remote package, nor the steps
// and daemon around it, so a BuildKit frontend can compile a plan with it.
func TestPure(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range strings.Fields(string(out)) {
		switch {
		case dep == "github.com/moby/buildkit/client",
			strings.HasPrefix(dep, "github.com/google/go-containerregistry/pkg/v1/remote"),
			strings.HasPrefix(dep, "github.com/wsbuild/wsbuild/internal/solve"),
			strings.HasPrefix(dep, "github.com/wsbuild/wsbuild/internal/publish"),
			strings.HasPrefix(dep, "github.com/wsbuild/wsbuild/internal/buildkitd"),
			strings.HasPrefix(dep, "github.com/wsbuild/wsbuild/internal/pipeline"),
			strings.HasPrefix(dep, "github.com/wsbuild/wsbuild/cmd/"):
			t.Errorf("llb imports %s", dep)
		}
	}
}
