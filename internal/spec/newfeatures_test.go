package spec

import (
	"reflect"
	"testing"

	"github.com/wsbuild/wsbuild/internal/feature"
)

// TestNewFeatures decodes the keys of build steps, noVNC, the browser's
// start page and R.
func TestNewFeatures(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		sets       []string
		key        string
		want       feature.Settings
	}{
		{"steps as strings", base + "    steps: [\"git clone http://127.0.0.1/x.git\", \"make\"]\n", nil, "steps",
			&feature.Steps{{Run: "git clone http://127.0.0.1/x.git"}, {Run: "make"}}},
		{"steps as mappings", base + "    steps:\n      - {name: model, run: curl -O x, user: root, workdir: /opt, cache: [/var/cache/m]}\n", nil, "steps",
			&feature.Steps{{Name: "model", Run: "curl -O x", User: "root", Workdir: "/opt", Cache: []string{"/var/cache/m"}}}},
		{"steps through --set", base, []string{`x.steps=[{name: a, run: "true"}]`}, "steps", &feature.Steps{{Name: "a", Run: "true"}}},
		{"novnc true is port 6080", base + "    desktop: {novnc: true}\n", nil, "desktop", &feature.Desktop{NoVNC: 6080}},
		{"novnc port", base + "    desktop: {novnc: 6081}\n", nil, "desktop", &feature.Desktop{NoVNC: 6081}},
		{"novnc false", base + "    desktop: {novnc: false}\n", nil, "desktop", &feature.Desktop{}},
		{"novnc through --set", base + "    desktop: {}\n", []string{"x.desktop.novnc=true"}, "desktop", &feature.Desktop{NoVNC: 6080}},
		{"start page", base + "    desktop: {start_url: \"http://localhost:8888/lab\"}\n", nil, "desktop", &feature.Desktop{StartURL: "http://localhost:8888/lab"}},
		{"r true", base + "    r: true\n", nil, "r", &feature.R{}},
		{"r packages", base + "    r: {packages: [ggplot2, data.table]}\n", nil, "r", &feature.R{Packages: []string{"ggplot2", "data.table"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fam, err := Parse("wsbuild.yaml", []byte(tc.yaml), WithOverrides(tc.sets))
			if err != nil {
				t.Fatal(err)
			}
			if got := fam.Images["x"].Features[tc.key]; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s = %s, want %s", tc.key, show(&Image{Features: feats(tc.key, got)}), show(&Image{Features: feats(tc.key, tc.want)}))
			}
		})
	}
}

func TestNewFeatureErrors(t *testing.T) {
	runErrCases(t, []errCase{
		{name: "steps not a list", yaml: base + "    steps: {run: make}\n",
			want: []string{"wsbuild.yaml:4: images.x.steps: expected a list of mappings with name, run, user, workdir, cache and secrets, got a mapping"}},
		{name: "step without run", yaml: base + "    steps:\n      - {name: build}\n",
			want: []string{"wsbuild.yaml:5: images.x.steps.0: missing run"}},
		{name: "step fields", yaml: base + "    steps:\n      - run: \" \"\n        user: admin\n        workdir: opt\n        cache: [/ok, rel]\n        nmae: x\n",
			want: []string{
				"wsbuild.yaml:5: images.x.steps.0.run: empty command",
				`wsbuild.yaml:6: images.x.steps.0.user: "admin" is not one of user, root`,
				`wsbuild.yaml:7: images.x.steps.0.workdir: invalid path "opt": expected an absolute path without ..`,
				`wsbuild.yaml:8: images.x.steps.0.cache.1: invalid path "rel": expected an absolute path without ..`,
				`wsbuild.yaml:9: images.x.steps.0.nmae: unknown field "nmae" (did you mean "name"?)`,
			}},
		{name: "step name on two lines", yaml: base + "    steps:\n      - {name: \"a\\nb\", run: make}\n",
			want: []string{`wsbuild.yaml:5: images.x.steps.0.name: invalid name "a\nb": expected one line of at most 80 characters`}},
		{name: "step boolean item", yaml: base + "    steps: [true]\n",
			want: []string{"wsbuild.yaml:4: images.x.steps.0: expected a string, got a boolean"}},
		{name: "novnc bad port", yaml: base + "    desktop: {novnc: 0}\n",
			want: []string{"wsbuild.yaml:4: images.x.desktop.novnc: invalid port 0: must be 1-65535"}},
		{name: "novnc string", yaml: base + "    desktop: {novnc: \"yes\"}\n",
			want: []string{"wsbuild.yaml:4: images.x.desktop.novnc: expected true, false or a port, got a string"}},
		{name: "start page not a URL", yaml: base + "    desktop: {start_url: localhost:8888}\n",
			want: []string{`wsbuild.yaml:4: images.x.desktop.start_url: invalid URL "localhost:8888": expected an http, https or file URL such as http://localhost:8888`}},
		{name: "start page with a quote", yaml: base + "    desktop: {start_url: \"http://x/'; rm -rf /\"}\n",
			want: []string{`wsbuild.yaml:4: images.x.desktop.start_url: invalid URL "http://x/'; rm -rf /": quote, space, backslash, backquote and $ must be percent-encoded`}},
		{name: "r package", yaml: base + "    r: {packages: [ggplot2, \"r-cran-x;y\"]}\n",
			want: []string{`wsbuild.yaml:4: images.x.r.packages.1: invalid R package name "r-cran-x;y": letters, digits and dots, starting with a letter`}},
		{name: "r list", yaml: base + "    r: [ggplot2]\n",
			want: []string{"wsbuild.yaml:4: images.x.r: expected true, false or a mapping with packages, got a list"}},
	})
}
