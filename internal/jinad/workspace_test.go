package jinad

import (
	"io/fs"
	"reflect"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/wsbuild/wsbuild/internal/feature"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/spec"
)

func TestImageName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"hello-jina", "hello-jina"},
		{"My Project", "my-project"},
		{"my_project", "my_project"},
		{"my__project", "my__project"},
		{"my___project", "my-project"},
		{"my.project", "my.project"},
		{"my..project", "my-project"},
		{"a--b", "a--b"},
		{"a-_b", "a-b"},
		{"_private.", "private"},
		{"Ünïcode Ws", "n-code-ws"},
		{"2024 run!", "2024-run"},
		{"...", "workspace"},
		{"", "workspace"},
	} {
		if got := ImageName(tc.in); got != tc.want {
			t.Errorf("ImageName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	long := ImageName("a" + string(slices.Repeat([]byte("b-"), 100)))
	if len(long) > 128 || long[len(long)-1] == '-' {
		t.Errorf("long name %q", long)
	}
}

func workspace() fstest.MapFS {
	return fstest.MapFS{
		".jinad":           {Data: []byte("[jina]\nbuild = devel\npython = 3.11\njina = 2.0\nports = 8000, 8001\nrun = \"python app.py\"\n")},
		".git/config":      {Data: []byte("")},
		"requirements.txt": {Data: []byte("# none\n")},
		"wsbuild.yaml":     {Data: []byte("old")},
		"spec.yaml":        {Data: []byte("old")},
		"app.py":           {Data: []byte("print('hi')\n")},
		"data/greeting":    {Data: []byte("hello\n")},
		"socket":           {Mode: fs.ModeSocket},
	}
}

func TestScan(t *testing.T) {
	w, err := Scan(workspace(), "ws", "spec.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := &Workspace{
		Config: &Config{Build: BuildDevel, Python: "3.11", Ports: []int{8000, 8001}, Run: "python app.py",
			Warnings: []string{"ws/.jinad:4: jina: ignored: wsbuild does not install Jina; list it in requirements.txt if the project needs it"}},
		Requirements: true,
		Files:        []string{"app.py", "data"},
		Warnings: []string{
			"ws/.jinad:4: jina: ignored: wsbuild does not install Jina; list it in requirements.txt if the project needs it",
			"ws/socket: not copied: not a file or folder",
		},
	}
	if !reflect.DeepEqual(w, want) {
		t.Errorf("got  %+v\nwant %+v", w, want)
	}
}

func TestScanErrors(t *testing.T) {
	for _, tc := range []struct {
		fsys fstest.MapFS
		want string
	}{
		{fstest.MapFS{"app.py": {}}, "ws/.jinad: not found: a JinaD workspace has its settings in .jinad"},
		{fstest.MapFS{".jinad": {Data: []byte("ports = x")}}, `ws/.jinad:1: ports: invalid port "x" (want a number from 1 to 65535)`},
	} {
		_, err := Scan(tc.fsys, "ws")
		if err == nil || err.Error() != tc.want {
			t.Errorf("Scan: %v, want %s", err, tc.want)
		}
	}
}

func TestSpec(t *testing.T) {
	w, err := Scan(workspace(), "ws", "spec.yaml")
	if err != nil {
		t.Fatal(err)
	}
	data, err := w.Spec(SpecOptions{Image: "ws", Source: "ws"})
	if err != nil {
		t.Fatal(err)
	}
	want := "# The workspace ws as a wsbuild image, written by `wsbuild init --from`\n" +
		"# from its .jinad. Copy sources are relative to this file's folder.\n" +
		`images:
  ws:
    base: debian:bookworm
    python: "3.11"
    apt: [build-essential]
    requirements: requirements.txt
    ports: [8000, 8001]
    run: [python, app.py]
    copy:
      - {src: app.py, dst: app.py}
      - {src: data, dst: data}
push:
  - registry: 127.0.0.1:5000
    namespace: wsbuild
    insecure: true
`
	if string(data) != want {
		t.Errorf("got:\n%s\nwant:\n%s", data, want)
	}
	fam, err := spec.Parse("wsbuild.yaml", data, spec.WithFS(workspace()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plan.New(fam, plan.WithContext(workspace())); err != nil {
		t.Fatal(err)
	}
}

func TestSpecVariants(t *testing.T) {
	for _, tc := range []struct {
		name string
		w    Workspace
		o    SpecOptions
		want spec.Image
	}{
		{"bare", Workspace{Config: &Config{Build: BuildDefault}}, SpecOptions{Image: "a"},
			spec.Image{Name: "a", Repository: "a", Base: Base, Features: python(DefaultPython())}},
		{"shell command, spec above the workspace",
			Workspace{Config: &Config{Build: BuildDefault, Python: "3.12", Run: "cd data && python ../app.py"},
				Requirements: true, Files: []string{"app.py"}},
			SpecOptions{Image: "b", Dir: "ws"},
			spec.Image{Name: "b", Repository: "b", Base: Base, Features: python("3.12"), Requirements: "ws/requirements.txt", RequirementsData: []byte("x"),
				Run: []string{"/bin/sh", "-c", "cd data && python ../app.py"}, Copy: []spec.Copy{{Src: "ws/app.py", Dst: "app.py"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, err := tc.w.Spec(tc.o)
			if err != nil {
				t.Fatal(err)
			}
			fsys := fstest.MapFS{"ws/requirements.txt": {Data: []byte("x")}, "ws/app.py": {}}
			fam, err := spec.Parse("wsbuild.yaml", data, spec.WithFS(fsys))
			if err != nil {
				t.Fatalf("%v\n%s", err, data)
			}
			got := fam.Images[tc.o.Image]
			if got == nil || !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("got  %+v\nwant %+v\n%s", got, tc.want, data)
			}
		})
	}
}

// python is the Features of an image with python: version.
func python(version string) map[string]feature.Settings {
	return map[string]feature.Settings{"python": &feature.Python{Version: version}}
}
