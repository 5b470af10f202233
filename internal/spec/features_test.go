package spec

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/wsbuild/wsbuild/internal/feature"
)

func ptr[T any](v T) *T { return &v }

// child is base plus an image y built on x.
const child = base + "  y:\n    from: x\n"

func TestFeatures(t *testing.T) {
	deb := func(img Image) *Image {
		img.Name, img.Repository, img.Base = "x", "x", "debian:bookworm"
		return &img
	}
	kid := func(img Image) *Image {
		img.Name, img.Repository, img.From = "y", "y", "x"
		return &img
	}
	for _, tc := range []struct {
		name string
		yaml string
		sets []string
		img  string
		want *Image
	}{
		{"python string", base + "    python: \"3.12\"\n", nil, "x", deb(Image{Features: feats("python", &feature.Python{Version: "3.12"})})},
		{"python number as written", base + "    python: 3.10\n", nil, "x", deb(Image{Features: feats("python", &feature.Python{Version: "3.10"})})},
		{"python mapping", base + "    python: {version: \"3.12\", via: uv}\n", nil, "x", deb(Image{Features: feats("python", &feature.Python{Version: "3.12", Via: "uv"})})},
		{"python mapping without via", base + "    python:\n      version: 3.11\n", nil, "x", deb(Image{Features: feats("python", &feature.Python{Version: "3.11"})})},
		{"python via distro", base + "    python: {version: \"3.11\", via: distro}\n", nil, "x", deb(Image{Features: feats("python", &feature.Python{Version: "3.11", Via: "distro"})})},
		{"python via auto", base + "    python: {version: \"3.11\", via: auto}\n", nil, "x", deb(Image{Features: feats("python", &feature.Python{Version: "3.11", Via: "auto"})})},
		{"os", base + "    os: debian12\n", nil, "x", deb(Image{OS: "debian12"})},
		{"cuda false", base + "    cuda: false\n", nil, "x", deb(Image{Off: []string{"cuda"}})},
		{"cuda string", base + "    cuda: \"12.4\"\n", nil, "x", deb(Image{Features: feats("cuda", &feature.Cuda{Version: "12.4"})})},
		{"cuda number as written", base + "    cuda: 12.10\n", nil, "x", deb(Image{Features: feats("cuda", &feature.Cuda{Version: "12.10"})})},
		{"cuda null", base + "    cuda:\n", nil, "x", deb(Image{})},
		{"cuda mapping", base + "    cuda: {version: 12.4, cudnn: 9, flavor: devel, base: \"nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04\"}\n", nil, "x",
			deb(Image{Features: feats("cuda", &feature.Cuda{Version: "12.4", Cudnn: "9", Flavor: "devel", Base: "nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04"})})},
		{"cuda mapping cudnn string", base + "    cuda: {version: \"11.8\", cudnn: \"8\", flavor: runtime}\n", nil, "x",
			deb(Image{Features: feats("cuda", &feature.Cuda{Version: "11.8", Cudnn: "8", Flavor: "runtime"})})},
		{"desktop true", child + "    desktop: true\n", nil, "y", kid(Image{Features: feats("desktop", &feature.Desktop{})})},
		{"desktop false", child + "    desktop: false\n", nil, "y", kid(Image{Off: []string{"desktop"}})},
		{"desktop null", child + "    desktop:\n", nil, "y", kid(Image{})},
		{"desktop empty mapping", child + "    desktop: {}\n", nil, "y", kid(Image{Features: feats("desktop", &feature.Desktop{})})},
		{"desktop mapping", child + "    desktop:\n      vnc: true\n      session: xfce\n      browser: none\n      resolution: 1280x800\n      port: 5901\n", nil, "y",
			kid(Image{Features: feats("desktop", &feature.Desktop{VNC: ptr(true), Session: "xfce", Browser: "none", Resolution: "1280x800", Port: 5901})})},
		{"desktop mapping without vnc", child + "    desktop: {session: lxde, browser: firefox}\n", nil, "y",
			kid(Image{Features: feats("desktop", &feature.Desktop{Session: "lxde", Browser: "firefox"})})},
		{"sshd true", child + "    sshd: true\n", nil, "y", kid(Image{Features: feats("sshd", &feature.Sshd{})})},
		{"sshd false", child + "    sshd: false\n", nil, "y", kid(Image{Off: []string{"sshd"}})},
		{"sshd mapping", child + "    sshd: {port: 2222}\n", nil, "y", kid(Image{Features: feats("sshd", &feature.Sshd{Port: 2222})})},
		{"jupyter true", child + "    jupyter: true\n", nil, "y", kid(Image{Features: feats("jupyter", &feature.Jupyter{})})},
		{"jupyter false", child + "    jupyter: false\n", nil, "y", kid(Image{Off: []string{"jupyter"}})},
		{"jupyter mapping", child + "    jupyter: {lab: false, port: 8889, via: distro}\n", nil, "y",
			kid(Image{Features: feats("jupyter", &feature.Jupyter{Lab: ptr(false), Port: 8889, Via: "distro"})})},
		{"jupyter lab true", child + "    jupyter: {lab: true, via: pip}\n", nil, "y", kid(Image{Features: feats("jupyter", &feature.Jupyter{Lab: ptr(true), Via: "pip"})})},
		{"jupyter lab absent", child + "    jupyter: {port: 8888}\n", nil, "y", kid(Image{Features: feats("jupyter", &feature.Jupyter{Port: 8888})})},
		{"test list", child + "    test:\n      - python -c 'import torch'\n      - pip check\n", nil, "y",
			kid(Image{Test: []string{"python -c 'import torch'", "pip check"}})},
		{"test string", child + "    test: python -V\n", nil, "y", kid(Image{Test: []string{"python -V"}})},
		{"test empty list", child + "    test: []\n", nil, "y", kid(Image{Test: []string{}})},

		// The same keys through --set.
		{"set cuda mapping", base, []string{`x.cuda={version: "12.4", base: debian:bookworm}`}, "x",
			deb(Image{Features: feats("cuda", &feature.Cuda{Version: "12.4", Base: "debian:bookworm"})})},
		{"set cuda false over a version", base + "    cuda: \"12.4\"\n", []string{"x.cuda=false"}, "x", deb(Image{Off: []string{"cuda"}})},
		{"set cuda version", base, []string{"x.cuda=12.4"}, "x", deb(Image{Features: feats("cuda", &feature.Cuda{Version: "12.4"})})},
		{"set python mapping", base + "    python: \"3.11\"\n", []string{"x.python={version: 3.12, via: uv}"}, "x",
			deb(Image{Features: feats("python", &feature.Python{Version: "3.12", Via: "uv"})})},
		{"set python.via into a mapping", base + "    python: {version: \"3.11\"}\n", []string{"x.python.via=distro"}, "x",
			deb(Image{Features: feats("python", &feature.Python{Version: "3.11", Via: "distro"})})},
		{"set os", base, []string{"x.os=ubuntu22.04"}, "x", deb(Image{OS: "ubuntu22.04"})},
		{"set desktop port into a mapping", base + "    desktop: {session: xfce}\n", []string{"x.desktop.port=5901"}, "x",
			deb(Image{Features: feats("desktop", &feature.Desktop{Session: "xfce", Port: 5901})})},
		{"set desktop port where there is none", base, []string{"x.desktop.port=5901"}, "x", deb(Image{Features: feats("desktop", &feature.Desktop{Port: 5901})})},
		{"set desktop off", child + "    desktop: true\n", []string{"y.desktop=false"}, "y", kid(Image{Off: []string{"desktop"}})},
		{"set sshd", child, []string{"y.sshd=true"}, "y", kid(Image{Features: feats("sshd", &feature.Sshd{})})},
		{"set sshd port", child, []string{"y.sshd.port=22"}, "y", kid(Image{Features: feats("sshd", &feature.Sshd{Port: 22})})},
		{"set jupyter mapping", child + "    jupyter: true\n", []string{"y.jupyter={lab: false, via: distro}"}, "y",
			kid(Image{Features: feats("jupyter", &feature.Jupyter{Lab: ptr(false), Via: "distro"})})},
		{"set test list", child, []string{`y.test=["python -V", "pip list"]`}, "y", kid(Image{Test: []string{"python -V", "pip list"}})},
		{"set test string", child, []string{"y.test=python -V"}, "y", kid(Image{Test: []string{"python -V"}})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fam, err := Parse("wsbuild.yaml", []byte(tc.yaml), WithOverrides(tc.sets))
			if err != nil {
				t.Fatal(err)
			}
			if got := fam.Images[tc.img]; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("image %s:\n got %s\nwant %s", tc.img, show(got), show(tc.want))
			}
		})
	}
}

// feats is the Features map of one feature's settings.
func feats(key string, s feature.Settings) map[string]feature.Settings {
	return map[string]feature.Settings{key: s}
}

// show formats an image with its feature settings followed.
func show(img *Image) string {
	if img == nil {
		return "<nil>"
	}
	s := fmt.Sprintf("%+v", *img)
	for k, v := range img.Features {
		b, _ := json.Marshal(v)
		s += fmt.Sprintf(" %s=%s", k, b)
	}
	return s
}

func TestFeatureErrors(t *testing.T) {
	runErrCases(t, []errCase{
		// python
		{name: "python mapping without version", yaml: base + "    python: {via: uv}\n",
			want: []string{`wsbuild.yaml:4: images.x.python: missing version, such as "3.11"`}},
		{name: "python empty mapping", yaml: base + "    python: {}\n",
			want: []string{`wsbuild.yaml:4: images.x.python: missing version, such as "3.11"`}},
		{name: "python bad via", yaml: base + "    python:\n      version: \"3.11\"\n      via: conda\n",
			want: []string{`wsbuild.yaml:6: images.x.python.via: "conda" is not one of auto, distro, uv`}},
		{name: "python via typo", yaml: base + "    python: {version: \"3.11\", via: distor}\n",
			want: []string{`wsbuild.yaml:4: images.x.python.via: "distor" is not one of auto, distro, uv (did you mean "distro"?)`}},
		{name: "python bad version in mapping", yaml: base + "    python:\n      version: three\n",
			want: []string{`wsbuild.yaml:5: images.x.python.version: invalid Python version "three": expected a version such as "3.11"`}},
		{name: "python unknown key", yaml: base + "    python: {version: \"3.11\", vai: uv}\n",
			want: []string{`wsbuild.yaml:4: images.x.python.vai: unknown field "vai" (did you mean "via"?)`}},
		{name: "python list", yaml: base + "    python: [\"3.11\"]\n",
			want: []string{`wsbuild.yaml:4: images.x.python: expected false, a version such as "3.11" or a mapping with version and via, got a list`}},
		// os
		{name: "os unknown", yaml: base + "    os: windows\n",
			want: []string{`wsbuild.yaml:4: images.x.os: unknown OS "windows"; known: ...`}},
		{name: "os typo", yaml: base + "    os: debain12\n",
			want: []string{`wsbuild.yaml:4: images.x.os: unknown OS "debain12" (did you mean "debian12"?); known: debian12, ...`}},
		{name: "os on an image with from", yaml: child + "    os: debian12\n",
			want: []string{"wsbuild.yaml:6: images.y.os: os is set where the chain starts (the image with base): images.y inherits it from its parent"}},
		{name: "os list", yaml: base + "    os: [debian12]\n",
			want: []string{"wsbuild.yaml:4: images.x.os: expected a string, got a list"}},
		// cuda
		{name: "cuda true", yaml: base + "    cuda: true\n",
			want: []string{`wsbuild.yaml:4: images.x.cuda: true does not say which version: give a version such as "12.4", or false`}},
		{name: "cuda major only", yaml: base + "    cuda: 12\n",
			want: []string{`wsbuild.yaml:4: images.x.cuda: invalid CUDA version "12": expected major.minor, such as "12.4"`}},
		{name: "cuda patch", yaml: base + "    cuda: \"12.4.1\"\n",
			want: []string{`wsbuild.yaml:4: images.x.cuda: invalid CUDA version "12.4.1": expected major.minor, such as "12.4"`}},
		{name: "cuda list", yaml: base + "    cuda: [12.4]\n",
			want: []string{`wsbuild.yaml:4: images.x.cuda: expected false, a version such as "12.4" or a mapping with version, cudnn, flavor and base, got a list`}},
		{name: "cuda mapping without version", yaml: base + "    cuda:\n      flavor: devel\n",
			want: []string{`wsbuild.yaml:4: images.x.cuda: missing version, such as "12.4"`}},
		{name: "cuda mapping bad fields", yaml: base + "    cuda:\n      version: \"12\"\n      cudnn: 9.1\n      flavor: full\n      base: nvidia/Cuda\n      arch: x86\n",
			want: []string{
				`wsbuild.yaml:5: images.x.cuda.version: invalid CUDA version "12": expected major.minor, such as "12.4"`,
				`wsbuild.yaml:6: images.x.cuda.cudnn: invalid cuDNN version "9.1": expected a major version such as 9`,
				`wsbuild.yaml:7: images.x.cuda.flavor: "full" is not one of runtime, devel`,
				`wsbuild.yaml:8: images.x.cuda.base: invalid image reference "nvidia/Cuda": expected a reference such as "debian:bookworm"...`,
				`wsbuild.yaml:9: images.x.cuda.arch: unknown field "arch" (known: version, cudnn, flavor, base)`,
			}},
		{name: "cuda cudnn boolean", yaml: base + "    cuda: {version: \"12.4\", cudnn: true}\n",
			want: []string{"wsbuild.yaml:4: images.x.cuda.cudnn: expected a string, got a boolean"}},
		{name: "cuda on an image with from", yaml: child + "    cuda: false\n",
			want: []string{"wsbuild.yaml:6: images.y.cuda: cuda is set where the chain starts (the image with base): images.y inherits it from its parent"}},
		{name: "os and cuda on an image with from", yaml: child + "    cuda: \"12.4\"\n    os: debian12\n",
			want: []string{
				"wsbuild.yaml:6: images.y.cuda: cuda is set where the chain starts (the image with base): images.y inherits it from its parent",
				"wsbuild.yaml:7: images.y.os: os is set where the chain starts (the image with base): images.y inherits it from its parent",
			}},
		// desktop
		{name: "desktop vnc false", yaml: base + "    desktop: {vnc: false}\n",
			want: []string{"wsbuild.yaml:4: images.x.desktop.vnc: VNC is the only way into the desktop so far; leave vnc out or set it true"}},
		{name: "desktop vnc not a boolean", yaml: base + "    desktop: {vnc: \"yes\"}\n",
			want: []string{"wsbuild.yaml:4: images.x.desktop.vnc: expected true or false, got a string"}},
		{name: "desktop bad fields", yaml: base + "    desktop:\n      session: gnome\n      browser: chrome\n      resolution: 1920*1080\n      port: 0\n",
			want: []string{
				`wsbuild.yaml:5: images.x.desktop.session: "gnome" is not one of lxde, xfce`,
				`wsbuild.yaml:6: images.x.desktop.browser: "chrome" is not one of firefox, none`,
				`wsbuild.yaml:7: images.x.desktop.resolution: invalid resolution "1920*1080": expected WIDTHxHEIGHT, such as "1920x1080"`,
				"wsbuild.yaml:8: images.x.desktop.port: invalid port 0: must be 1-65535",
			}},
		{name: "desktop resolution too short and too long", yaml: base + "    desktop: {resolution: 64x48}\n  y:\n    from: x\n    desktop: {resolution: 123456x1080}\n",
			want: []string{
				`wsbuild.yaml:4: images.x.desktop.resolution: invalid resolution "64x48": expected WIDTHxHEIGHT, such as "1920x1080"`,
				`wsbuild.yaml:7: images.y.desktop.resolution: invalid resolution "123456x1080": expected WIDTHxHEIGHT, such as "1920x1080"`,
			}},
		{name: "desktop session typo", yaml: base + "    desktop: {session: xfec}\n",
			want: []string{`wsbuild.yaml:4: images.x.desktop.session: "xfec" is not one of lxde, xfce (did you mean "xfce"?)`}},
		{name: "desktop string", yaml: base + "    desktop: lxde\n",
			want: []string{"wsbuild.yaml:4: images.x.desktop: expected true, false or a mapping with vnc, session, browser, resolution, port, novnc and start_url, got a string"}},
		{name: "desktop unknown key", yaml: base + "    desktop: {sesion: lxde}\n",
			want: []string{`wsbuild.yaml:4: images.x.desktop.sesion: unknown field "sesion" (did you mean "session"?)`}},
		// sshd
		{name: "sshd port out of range", yaml: base + "    sshd: {port: 70000}\n",
			want: []string{"wsbuild.yaml:4: images.x.sshd.port: invalid port 70000: must be 1-65535"}},
		{name: "sshd port string", yaml: base + "    sshd: {port: \"22\"}\n",
			want: []string{"wsbuild.yaml:4: images.x.sshd.port: expected an integer, got a string"}},
		{name: "sshd list", yaml: base + "    sshd: [22]\n",
			want: []string{"wsbuild.yaml:4: images.x.sshd: expected true, false or a mapping with port, got a list"}},
		{name: "sshd unknown key", yaml: base + "    sshd: {prot: 22}\n",
			want: []string{`wsbuild.yaml:4: images.x.sshd.prot: unknown field "prot" (did you mean "port"?)`}},
		// jupyter
		{name: "jupyter bad fields", yaml: base + "    jupyter:\n      lab: maybe\n      port: -1\n      via: conda\n",
			want: []string{
				"wsbuild.yaml:5: images.x.jupyter.lab: expected true or false, got a string",
				"wsbuild.yaml:6: images.x.jupyter.port: invalid port -1: must be 1-65535",
				`wsbuild.yaml:7: images.x.jupyter.via: "conda" is not one of pip, distro`,
			}},
		{name: "jupyter number", yaml: base + "    jupyter: 8888\n",
			want: []string{"wsbuild.yaml:4: images.x.jupyter: expected true, false or a mapping with lab, port and via, got a number"}},
		// test
		{name: "test empty string", yaml: base + "    test: \"\"\n",
			want: []string{"wsbuild.yaml:4: images.x.test: empty command"}},
		{name: "test empty and null items", yaml: base + "    test:\n      - \"  \"\n      -\n      - {a: b}\n      - ok\n",
			want: []string{
				"wsbuild.yaml:5: images.x.test.0: empty command",
				"wsbuild.yaml:6: images.x.test.1: expected a command string, got null",
				"wsbuild.yaml:7: images.x.test.2: expected a command string, got a mapping",
			}},
		{name: "test boolean item", yaml: base + "    test: [true]\n",
			want: []string{"wsbuild.yaml:4: images.x.test.0: expected a command string, got a boolean"}},
		{name: "test mapping", yaml: base + "    test: {run: x}\n",
			want: []string{"wsbuild.yaml:4: images.x.test: expected a command string or a list of commands, got a mapping"}},

		// The same problems through --set.
		{name: "set cuda true", yaml: base, sets: []string{"x.cuda=true"},
			want: []string{`--set:1: images.x.cuda: true does not say which version: give a version such as "12.4", or false`}},
		{name: "set cuda bad base", yaml: base, sets: []string{"x.tag=1", `x.cuda={version: "12.4", base: "Debian"}`},
			want: []string{`--set:2: images.x.cuda.base: invalid image reference "Debian"...`}},
		{name: "set cuda on a child", yaml: child, sets: []string{`y.cuda=12.4`},
			want: []string{"--set:1: images.y.cuda: cuda is set where the chain starts (the image with base): images.y inherits it from its parent"}},
		{name: "set os unknown", yaml: base, sets: []string{"x.os=debian13"},
			want: []string{`--set:1: images.x.os: unknown OS "debian13" (did you mean "debian12"?); known: ...`}},
		{name: "set desktop port out of range", yaml: base + "    desktop: {}\n", sets: []string{"x.desktop.port=99999"},
			want: []string{"--set:1: images.x.desktop.port: invalid port 99999: must be 1-65535"}},
		{name: "set into desktop true", yaml: base + "    desktop: true\n", sets: []string{"x.desktop.session=xfce"},
			want: []string{`--set:1: images.x.desktop: cannot set "session" in it: it is a boolean, not a mapping`}},
		{name: "set desktop vnc false", yaml: base + "    desktop: {session: lxde}\n", sets: []string{"x.desktop.vnc=false"},
			want: []string{"--set:1: images.x.desktop.vnc: VNC is the only way into the desktop so far; leave vnc out or set it true"}},
		{name: "set jupyter via", yaml: base, sets: []string{"x.jupyter={via: conda}"},
			want: []string{`--set:1: images.x.jupyter.via: "conda" is not one of pip, distro`}},
		{name: "set python mapping without version", yaml: base, sets: []string{"x.python={via: uv}"},
			want: []string{`--set:1: images.x.python: missing version, such as "3.11"`}},
		{name: "set test empty", yaml: base, sets: []string{"x.test="},
			want: []string{"--set:1: images.x.test: empty command"}},
	})
}
