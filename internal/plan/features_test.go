package plan

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/wsbuild/wsbuild/internal/feature"
	"github.com/wsbuild/wsbuild/internal/spec"
	"github.com/wsbuild/wsbuild/templates"
)

// everyFeature sets every registered feature on one image; a new feature
// must be added here, which TestEveryFieldReachesTheDigest checks.
const everyFeature = `images:
  x:
    base: debian:bookworm
    python: "3.11"
    cuda: "12.4"
    desktop: {novnc: true, start_url: "http://localhost:8888"}
    sshd: true
    jupyter: true
    r: {packages: [ggplot2]}
    steps: [{name: one, run: "echo one", cache: [/var/cache/one]}]
`

// TestEveryFieldReachesTheDigest changes each field of each registered
// feature in turn and checks that the image's input digest and the named
// input of that feature change: no feature needs a digest line of its own.
func TestEveryFieldReachesTheDigest(t *testing.T) {
	p := mustPlan(t, everyFeature, nil)
	n := p.Node("x")
	for _, f := range feature.All() {
		if _, ok := n.Features[f.Key()]; !ok {
			t.Fatalf("feature %q is not set in everyFeature; add it there", f.Key())
		}
	}
	base, inputs, _, err := inputDigest(n, "v", "linux/amd64", nil, spec.Compression{})
	if err != nil {
		t.Fatal(err)
	}
	for key, s := range n.Features {
		for _, path := range mutations(reflect.ValueOf(s).Elem(), "") {
			t.Run(key+"."+path, func(t *testing.T) {
				c := feature.Clone(s)
				mutate(reflect.ValueOf(c).Elem(), path)
				saved := n.Features[key]
				n.Features[key] = c
				defer func() { n.Features[key] = saved }()
				d, got, _, err := inputDigest(n, "v", "linux/amd64", nil, spec.Compression{})
				if err != nil {
					t.Fatal(err)
				}
				if d == base {
					t.Errorf("changing %s.%s left the input digest as it was", key, path)
				}
				if got[key] == inputs[key] {
					t.Errorf("changing %s.%s left the named input %q as it was", key, path, key)
				}
			})
		}
	}
}

// mutations lists the field paths of settings value v: "port", "0.run".
func mutations(v reflect.Value, prefix string) []string {
	if v.Kind() == reflect.Slice {
		return mutations(v.Index(0), prefix+"0.")
	}
	var out []string
	for _, f := range feature.Fields(v.Type()) {
		out = append(out, prefix+f.Name)
	}
	return out
}

// mutate changes the field at path of v to another value.
func mutate(v reflect.Value, path string) {
	head, rest, _ := strings.Cut(path, ".")
	if v.Kind() == reflect.Slice {
		mutate(v.Index(0), rest)
		return
	}
	i := slices.IndexFunc(feature.Fields(v.Type()), func(f feature.Field) bool { return f.Name == head })
	fv := v.Field(feature.Fields(v.Type())[i].Index)
	switch fv.Interface().(type) {
	case string:
		fv.SetString(fv.String() + "-changed")
	case int:
		fv.SetInt(fv.Int() + 1)
	case bool:
		fv.SetBool(!fv.Bool())
	case *bool:
		b := fv.IsNil() || !fv.Elem().Bool()
		fv.Set(reflect.ValueOf(&b))
	case []string:
		fv.Set(reflect.Append(fv, reflect.ValueOf("changed")))
	case map[string]string:
		m := map[string]string{"changed": "yes"}
		for _, k := range fv.MapKeys() {
			m[k.String()] = fv.MapIndex(k).String()
		}
		fv.Set(reflect.ValueOf(m))
	default:
		panic("mutate: no change for " + fv.Type().String())
	}
}

func TestFeatureInheritance(t *testing.T) {
	p := mustPlan(t, `images:
  py:
    base: debian:bookworm
    python: "3.11"
    steps: [echo root]
  desk:
    from: py
    desktop: {session: xfce}
    steps: [echo desk]
  ssh:
    from: desk
    sshd: {port: 2200}
`, nil)
	desk, ssh := p.Node("desk"), p.Node("ssh")
	d, ok := ssh.Features["desktop"].(*feature.Desktop)
	if !ok || d.Session != "xfce" || d.Port != 5900 || d.Resolution != "1920x1080" {
		t.Errorf("ssh inherits desktop %+v, want xfce with the defaults filled in", ssh.Features["desktop"])
	}
	if got := *desk.Features["steps"].(*feature.Steps); len(got) != 1 || got[0].Run != "echo desk" || got[0].User != "user" {
		t.Errorf("desk has steps %+v, want only its own, as the user", got)
	}
	if _, ok := ssh.Features["steps"]; ok {
		t.Errorf("steps are per image, but ssh has %+v", ssh.Features["steps"])
	}
	if got := ssh.ServicePorts(); !slices.Equal(got, []string{"5900/tcp", "2200/tcp"}) {
		t.Errorf("ssh service ports %v", got)
	}
	v := ssh.View()
	if v.Enters("desktop") || !v.Enters("sshd") || !desk.View().Enters("desktop") {
		t.Errorf("desktop must enter at desk and sshd at ssh")
	}
	var names []string
	for _, pr := range ssh.Contribution.Programs {
		names = append(names, pr.Feature+"/"+pr.Name)
	}
	if want := []string{"desktop/x", "desktop/vnc", "desktop/session", "sshd/sshd"}; !slices.Equal(names, want) {
		t.Errorf("programs %v, want %v", names, want)
	}
}

func TestFeaturePlanErrors(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"twice in a chain", "images:\n  a:\n    base: debian:bookworm\n    sshd: true\n  b:\n    from: a\n    sshd: {port: 2200}\n",
			`wsbuild.yaml:7: images.b.sshd: sshd is set once per chain: parent "a" has {"port":2222}, not {"port":2200}`},
		{"again as the parent has it", "images:\n  a:\n    base: debian:bookworm\n    python: \"3.11\"\n  b:\n    from: a\n    python: \"3.11\"\n    jupyter: {}\n  c:\n    from: b\n    jupyter: true\n    sshd: {port: 8888}\n",
			`wsbuild.yaml:12: images.c.sshd.port: port 8888 is used by both sshd and jupyter`},
		{"false below a parent that has it", "images:\n  a:\n    base: debian:bookworm\n    desktop: true\n  b:\n    from: a\n    desktop: false\n",
			`wsbuild.yaml:7: images.b.desktop: false cannot take away the desktop parent "a" has: an image adds to its parent; build this image on an image without desktop`},
		{"env a feature sets", "images:\n  a:\n    base: debian:bookworm\n    python: \"3.11\"\n    env: {VIRTUAL_ENV: /elsewhere}\n",
			"wsbuild.yaml:5: images.a.env.VIRTUAL_ENV: VIRTUAL_ENV is set by the image's features (python); set the feature's own settings instead"},
		{"PATH in front of which python puts the venv", "images:\n  a:\n    base: debian:bookworm\n    env: {PATH: /bin}\n  b:\n    from: a\n    python: \"3.11\"\n",
			"wsbuild.yaml:7: images.b.python: PATH is set by the image's features (python); set the feature's own settings instead"},
		{"jupyter without python", "images:\n  a:\n    base: debian:bookworm\n    jupyter: true\n",
			"wsbuild.yaml:4: images.a.jupyter: jupyter needs python: set python on this image or an ancestor"},
		{"jupyter lab from the OS", "images:\n  a:\n    base: debian:bookworm\n    python: \"3.11\"\n    jupyter: {via: distro}\n",
			"wsbuild.yaml:5: images.a.jupyter: JupyterLab is not packaged by the OS; use via: pip, or lab: false for the OS's Notebook"},
		{"start page without a browser", "images:\n  a:\n    base: debian:bookworm\n    desktop: {browser: none, start_url: \"http://localhost\"}\n",
			"wsbuild.yaml:4: images.a.desktop.start_url: a start page needs a browser, and browser is none"},
		{"noVNC on Jupyter's port", "images:\n  a:\n    base: debian:bookworm\n    python: \"3.11\"\n    desktop: {novnc: 8888}\n  b:\n    from: a\n    jupyter: true\n",
			"wsbuild.yaml:8: images.b.jupyter.port: port 8888 is used by both desktop.novnc and jupyter"},
		{"own sshd on an inherited Jupyter's port", "images:\n  a:\n    base: debian:bookworm\n    python: \"3.11\"\n    jupyter: true\n  b:\n    from: a\n    sshd: {port: 8888}\n",
			"wsbuild.yaml:8: images.b.sshd.port: port 8888 is used by both sshd and jupyter"},
		{"VNC on sshd's port", "images:\n  a:\n    base: debian:bookworm\n    desktop: {port: 2222}\n    sshd: true\n",
			"wsbuild.yaml:5: images.a.sshd.port: port 2222 is used by both desktop and sshd"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := spec.Parse("wsbuild.yaml", []byte(tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			_, err = New(f)
			if err == nil || err.Error() != tc.want {
				t.Errorf("error %v\nwant %s", err, tc.want)
			}
		})
	}
}

// TestBaseSource names the spec line of each external image a plan builds
// on: a base, a CUDA leg's image, uv's image where a child's Python enters.
func TestBaseSource(t *testing.T) {
	p := mustPlan(t, "images:\n  a:\n    base: ubuntu:22.04\n    cuda: \"12.4\"\n  b:\n    from: a\n    python: {version: \"3.12\", via: uv}\n", nil)
	for ref, want := range map[string]string{
		"nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04": "wsbuild.yaml:4: images.a.cuda",
		templates.UVImage: "wsbuild.yaml:7: images.b.python",
		"ubuntu:22.04":    "",
	} {
		if got := p.BaseSource(ref); got != want {
			t.Errorf("BaseSource(%q) = %q, want %q", ref, got, want)
		}
	}
}

// TestPythonFromUV covers a Python the OS does not ship: validate says
// where it comes from, and the OS's python3-* modules are refused.
func TestPythonFromUV(t *testing.T) {
	p := mustPlan(t, "images:\n  a:\n    base: debian:bookworm\n    python: \"3.12\"\n    apt: [python3-dev]\n  b:\n    from: a\n", nil)
	want := []string{`wsbuild.yaml:4: images.a.python: python 3.12 (debian12 ships python 3.11) comes from uv, copied from ` + templates.UVImage +
		`, which downloads it at build time from the python-build-standalone releases: the build needs to reach both`}
	if got := p.Notes(); !reflect.DeepEqual(got, want) {
		t.Errorf("notes %q\nwant %q", got, want)
	}
	if got := mustPlan(t, "images:\n  a:\n    base: debian:bookworm\n    python: \"3.11\"\n", nil).Notes(); got != nil {
		t.Errorf("the OS's python has notes %q", got)
	}
	f, err := spec.Parse("wsbuild.yaml", []byte("images:\n  a:\n    base: debian:bookworm\n    python: \"3.12\"\n  b:\n    from: a\n    apt: [git, python3-numpy]\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(f)
	wantErr := "wsbuild.yaml:7: images.b.apt.1: python3-numpy is a module of the OS's python3, which the venv's python 3.12 (installed by uv) cannot import; install it with pip: instead"
	if err == nil || err.Error() != wantErr {
		t.Errorf("err = %v\nwant %s", err, wantErr)
	}
}
