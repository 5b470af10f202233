package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/wsbuild/wsbuild/internal/catalogue"
	"github.com/wsbuild/wsbuild/internal/feature"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/spec"
)

// runCLI runs a command line and returns its exit code, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestTemplatesCommand(t *testing.T) {
	code, out, errOut := runCLI(t, "templates")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 9*8 {
		t.Errorf("%d lines, want 9 templates x 8 legs:\n%s", len(lines), out)
	}
	want := regexp.MustCompile(`(?m)^python-pytorch-jupyter +debian12 +cuda12\.4 +debian:bookworm +PyTorch workstation with JupyterLab$`)
	if !want.MatchString(out) {
		t.Errorf("no line matching %s in:\n%s", want, out)
	}
	want = regexp.MustCompile(`(?m)^python +ubuntu22\.04 +cuda12\.1 +nvidia/cuda:12\.1\.1-cudnn8-runtime-ubuntu22\.04 +Python workstation$`)
	if !want.MatchString(out) {
		t.Errorf("no line matching %s", want)
	}
	col := strings.Index(lines[0], "debian12")
	for _, l := range lines {
		if strings.Index(l, "debian12") != col && strings.Index(l, "ubuntu22.04") != col {
			t.Errorf("OS column not aligned at %d: %q", col, l)
		}
	}

	code, out, errOut = runCLI(t, "templates", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var list []map[string]string
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 72 || !reflect.DeepEqual(list[1], map[string]string{
		"name": "python", "os": "debian12", "leg": "cuda12.4", "cuda": "12.4", "base": "debian:bookworm", "description": "Python workstation",
	}) {
		t.Errorf("%d entries, second %v", len(list), list[1])
	}
}

func TestInitTemplate(t *testing.T) {
	t.Chdir(t.TempDir())
	args := []string{"init", "--template", "python-pytorch-jupyter", "--os", "ubuntu22.04", "--cuda", "12.4"}
	code, out, errOut := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if want := "wrote wsbuild.yaml: python-pytorch-jupyter for CUDA 12.4 on ubuntu22.04 (3 images: python, python-pytorch, python-pytorch-jupyter)\n"; out != want {
		t.Errorf("stdout %q, want %q", out, want)
	}
	if code, _, errOut := runCLI(t, "validate"); code != 0 {
		t.Errorf("validate: exit %d: %s", code, errOut)
	}
	fam, err := spec.Load(spec.DefaultFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.New(fam)
	if err != nil {
		t.Fatal(err)
	}
	root := fam.Images["python"]
	if cuda, _ := root.Features["cuda"].(*feature.Cuda); root.Base != "ubuntu:22.04" || cuda == nil || cuda.Version != "12.4" {
		t.Errorf("root image: base %q, cuda %+v", root.Base, cuda)
	}
	for _, n := range p.Nodes {
		if n.Tag != "3.11-ubuntu22.04-cuda12.4" {
			t.Errorf("%s: tag %q", n.Name, n.Tag)
		}
	}
	data, _ := os.ReadFile(spec.DefaultFile)
	if !strings.Contains(string(data), "# PyTorch, TensorFlow and JupyterLab come from pip") {
		t.Errorf("the catalogue's comments are gone:\n%s", data)
	}
	if len(fam.Push) != 0 || !strings.HasSuffix(string(data), catalogue.PushPlaceholder) {
		t.Errorf("push %+v, want none but the placeholder at the end without --registry and --namespace:\n%s", fam.Push, data)
	}

	code, _, errOut = runCLI(t, args...)
	if code != 2 || !strings.Contains(errOut, "wsbuild.yaml exists; use --force to overwrite it") {
		t.Errorf("second init: exit %d: %s", code, errOut)
	}
	code, _, errOut = runCLI(t, "init", "--template", "python", "--force", "--registry", "registry.example.org", "--namespace", "team-a")
	if code != 0 {
		t.Fatalf("init --force: exit %d: %s", code, errOut)
	}
	if fam, err = spec.Load(spec.DefaultFile, nil); err != nil || !slices.Equal(fam.Names, []string{"python"}) ||
		fam.Images["python"].Base != "debian:bookworm" || fam.Images["python"].Features["cuda"] != nil || fam.Images["python"].Tag != "3.11" {
		t.Errorf("after --force: %v %+v", err, fam)
	}
	if want := []spec.PushTarget{{Registry: "registry.example.org", Namespace: "team-a"}}; !reflect.DeepEqual(fam.Push, want) {
		t.Errorf("push %+v, want %+v", fam.Push, want)
	}
	code, _, errOut = runCLI(t, "init", "--template", "python", "--force", "--registry", "registry.example.org")
	if code != 2 || !strings.Contains(errOut, "--registry and --namespace together") {
		t.Errorf("--registry alone: exit %d: %s", code, errOut)
	}
}

// copyWorkspace copies testdata/jinad/hello-jina to a new folder called name.
func copyWorkspace(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "testdata", "jinad", "hello-jina"))); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestInitFrom(t *testing.T) {
	dir := copyWorkspace(t, "My Workspace")
	code, out, errOut := runCLI(t, "init", "--from", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	specFile := filepath.Join(dir, spec.DefaultFile)
	if want := `wrote ` + specFile + `: image "my-workspace" from ` + filepath.Join(dir, ".jinad") + "\n"; out != want {
		t.Errorf("stdout %q, want %q", out, want)
	}
	if !strings.Contains(errOut, "wsbuild: warning: "+dir+"/.jinad:6: jina: ignored") {
		t.Errorf("no warning about jina in %q", errOut)
	}
	fam, err := spec.Load(specFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.New(fam, plan.WithContext(os.DirFS(dir)))
	if err != nil {
		t.Fatal(err)
	}
	want := spec.Image{
		Name: "my-workspace", Repository: "my-workspace", Base: "debian:bookworm", Features: map[string]feature.Settings{"python": &feature.Python{Version: "3.11"}},
		Requirements: "requirements.txt",
		RequirementsData: []byte("# app.py needs only the standard library. JinaD installed Jina itself\n" +
			"# (`jina = ...` in .jinad); wsbuild does not, so a project that imports jina\n" +
			"# lists it here.\n"),
		Ports: []string{"8000/tcp"}, Run: []string{"python", "app.py"},
		Copy: []spec.Copy{{Src: "app.py", Dst: "app.py"}, {Src: "data", Dst: "data"}},
	}
	if got := fam.Images["my-workspace"]; !slices.Equal(fam.Names, []string{"my-workspace"}) || !reflect.DeepEqual(*got, want) {
		t.Errorf("images %v\n got  %+v\n want %+v", fam.Names, *got, want)
	}
	// Without --registry and --namespace, nothing is pushed until the user
	// says where: the push target is a commented placeholder.
	if len(fam.Push) != 0 {
		t.Errorf("push %+v, want none without --registry and --namespace", fam.Push)
	}
	if data, _ := os.ReadFile(specFile); !strings.Contains(string(data), catalogue.PushPlaceholder) {
		t.Errorf("the spec has no push placeholder:\n%s", data)
	}
	n := p.Nodes[0]
	if n.View().Python() != "3.11" || len(n.Refs) != 0 || len(n.Files) == 0 {
		t.Errorf("planned: python %q, refs %v, files %v", n.View().Python(), n.Refs, n.Files)
	}
	if code, _, errOut := runCLI(t, "validate", "-f", specFile); code != 0 {
		t.Errorf("validate: exit %d: %s", code, errOut)
	}
	// A second run does not copy the spec it wrote; --registry and
	// --namespace write the push target.
	code, _, errOut = runCLI(t, "init", "--from", dir, "--force", "--registry", "127.0.0.1:5000", "--namespace", "lab/ws")
	if code != 0 {
		t.Fatalf("init --force: exit %d: %s", code, errOut)
	}
	fam, err = spec.Load(specFile, nil)
	if err != nil || len(fam.Images["my-workspace"].Copy) != 2 {
		t.Fatalf("after --force: %v %+v", err, fam)
	}
	if want := []spec.PushTarget{{Registry: "127.0.0.1:5000", Namespace: "lab/ws", Insecure: true}}; !reflect.DeepEqual(fam.Push, want) {
		t.Errorf("push %+v, want %+v", fam.Push, want)
	}
}

func TestInitFromAbove(t *testing.T) {
	dir := copyWorkspace(t, "ws")
	specFile := filepath.Join(filepath.Dir(dir), "spec.yaml")
	if code, _, errOut := runCLI(t, "init", "--from", dir, "-o", specFile); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	fam, err := spec.Load(specFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plan.New(fam, plan.WithContext(os.DirFS(filepath.Dir(specFile)))); err != nil {
		t.Fatal(err)
	}
	img := fam.Images["ws"]
	if img.Requirements != "ws/requirements.txt" || !reflect.DeepEqual(img.Copy, []spec.Copy{{Src: "ws/app.py", Dst: "app.py"}, {Src: "ws/data", Dst: "data"}}) {
		t.Errorf("requirements %q, copy %+v", img.Requirements, img.Copy)
	}
}

func TestInitErrors(t *testing.T) {
	ws := copyWorkspace(t, "ws")
	bad := copyWorkspace(t, "bad")
	if err := os.WriteFile(filepath.Join(bad, ".jinad"), []byte("python = 3.11\nports = 8000;8001\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	existing := copyWorkspace(t, "existing")
	if err := os.WriteFile(filepath.Join(existing, "wsbuild.yaml"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "wsbuild.yaml")
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"neither", []string{"init"}, "init needs --template NAME or --from DIR"},
		{"both", []string{"init", "--template", "python", "--from", ws}, "init takes --template or --from, not both"},
		{"arguments", []string{"init", "--template", "python", "x"}, `init takes no arguments, got ["x"]`},
		{"unknown template", []string{"init", "--template", "python-pytorch-jupyter-lab", "-o", out},
			`unknown template "python-pytorch-jupyter-lab" (did you mean "python-pytorch-jupyter"?); the templates are: python, python-pytorch,`},
		{"unknown OS", []string{"init", "--template", "python", "--os", "debian", "-o", out}, `unknown OS "debian" (did you mean "debian12"?)`},
		{"unknown CUDA", []string{"init", "--template", "python", "--cuda", "13.0", "-o", out},
			"no CUDA 13.0 leg for debian12 (CUDA versions for debian12: 12.4, 12.1, 11.8; or false for CPU)"},
		{"OS with --from", []string{"init", "--from", ws, "--os", "ubuntu22.04"}, "--os and --cuda go with --template"},
		{"not a folder", []string{"init", "--from", filepath.Join(ws, "app.py")}, "app.py\": not a folder"},
		{"no .jinad", []string{"init", "--from", empty}, empty + "/.jinad: not found"},
		{"bad .jinad", []string{"init", "--from", bad}, bad + `/.jinad:2: ports: invalid port "8000;8001" (want a number from 1 to 65535)`},
		{"spec below the workspace", []string{"init", "--from", ws, "-o", filepath.Join(ws, "data", "wsbuild.yaml")},
			"copy sources are relative to the spec's folder, so the spec goes into " + ws + " or a folder above it"},
		{"spec exists", []string{"init", "--from", existing}, existing + "/wsbuild.yaml exists; use --force to overwrite it"},
		{"unknown flag", []string{"init", "--templat", "python"}, "unknown flag: --templat"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, tc.args...)
			if code != 2 || !strings.Contains(errOut, tc.stderr) {
				t.Errorf("exit %d, want 2; stderr %q lacks %q", code, errOut, tc.stderr)
			}
		})
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed init wrote %s", out)
	}
	if data, _ := os.ReadFile(filepath.Join(existing, "wsbuild.yaml")); string(data) != "mine" {
		t.Errorf("init replaced a spec without --force: %q", data)
	}
}
