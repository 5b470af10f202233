package spec

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

// errCase is a spec that must fail with exactly the messages in want, in
// order. A message ending in "..." matches any message it is a prefix of.
type errCase struct {
	name string
	yaml string
	sets []string
	fsys fs.FS
	want []string
}

func runErrCases(t *testing.T, cases []errCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := []Option{WithOverrides(tc.sets)}
			if tc.fsys != nil {
				opts = append(opts, WithFS(tc.fsys))
			}
			fam, err := Parse("wsbuild.yaml", []byte(tc.yaml), opts...)
			if err == nil {
				t.Fatalf("no error; got %+v", fam)
			}
			if fam != nil {
				t.Errorf("got a Family along with the error")
			}
			checkErrs(t, err, tc.want)
		})
	}
}

// base is a valid first image the cases build on.
const base = "images:\n  x:\n    base: debian:bookworm\n"

func TestParseErrors(t *testing.T) {
	runErrCases(t, []errCase{
		{name: "yaml syntax", yaml: base + "  y: z: w\n",
			want: []string{"wsbuild.yaml:4: invalid YAML: mapping values are not allowed in this context"}},
		{name: "yaml syntax without a line", yaml: "images: \x01\n",
			want: []string{"wsbuild.yaml:1: invalid YAML: control characters are not allowed"}},
		{name: "second document", yaml: base + "---\nimages: {}\n",
			want: []string{"wsbuild.yaml:4: a spec is one YAML document, found a second one"}},
		{name: "root not a mapping", yaml: "- a\n- b\n",
			want: []string{"wsbuild.yaml:1: expected a mapping with images: and push:, got a list"}},
		{name: "unknown field with suggestion", yaml: base + "  pytorch:\n    from: x\n    pyton: \"3.12\"\n",
			want: []string{`wsbuild.yaml:6: images.pytorch.pyton: unknown field "pyton" (did you mean "python"?)`}},
		{name: "unknown field without suggestion", yaml: base + "zzzzz: 1\n",
			want: []string{`wsbuild.yaml:4: zzzzz: unknown field "zzzzz" (known: images, push, matrix, source_date_epoch, compression, cache, secrets)`}},
		{name: "unknown compression", yaml: base + "compression: brotli\n",
			want: []string{`wsbuild.yaml:4: compression: unknown compression "brotli" (want gzip, zstd or uncompressed)`}},
		{name: "compression level out of range", yaml: base + "compression:\n  type: zstd\n  level: 30\n",
			want: []string{`wsbuild.yaml:6: compression.level: zstd level 30 is out of range (1 to 22)`}},
		{name: "compression level not a number", yaml: base + "compression: {type: gzip, level: high}\n",
			want: []string{`wsbuild.yaml:4: compression.level: expected a whole number, got a string`}},
		{name: "unknown top-level with suggestion", yaml: "imagse:\n  x: {base: debian}\n",
			want: []string{
				`wsbuild.yaml:1: imagse: unknown field "imagse" (did you mean "images"?)`,
				"wsbuild.yaml:1: images: missing: a spec declares its images under images:",
			}},
		{name: "list of strings got number", yaml: base + "    apt: 3\n",
			want: []string{"wsbuild.yaml:4: images.x.apt: expected a list of strings, got a number"}},
		{name: "list item of wrong type", yaml: base + "    pip:\n      - numpy\n      - {a: b}\n",
			want: []string{"wsbuild.yaml:6: images.x.pip.1: expected a string, got a mapping"}},
		{name: "string got list", yaml: base + "    tag: [a]\n",
			want: []string{"wsbuild.yaml:4: images.x.tag: expected a string, got a list"}},
		{name: "integer got string", yaml: base + "    user: {uid: abc}\n",
			want: []string{"wsbuild.yaml:4: images.x.user.uid: expected an integer, got a string"}},
		{name: "mapping got string", yaml: base + "    user: bob\n",
			want: []string{"wsbuild.yaml:4: images.x.user: expected a mapping with name, uid and gid, got a string"}},
		{name: "boolean got string", yaml: base + "push:\n  - {registry: ghcr.io, namespace: lab, insecure: \"yes\"}\n",
			want: []string{"wsbuild.yaml:5: push.0.insecure: expected true or false, got a string"}},
		{name: "duplicate field", yaml: base + "    apt: [git]\n    apt: [curl]\n",
			want: []string{`wsbuild.yaml:5: images.x.apt: duplicate key "apt" (first at wsbuild.yaml:4)`}},
		{name: "duplicate image", yaml: base + "  x:\n    base: debian\n",
			want: []string{`wsbuild.yaml:4: images.x: duplicate key "x" (first at wsbuild.yaml:2)`}},
		{name: "neither base nor from", yaml: base + "  y:\n    apt: [git]\n",
			want: []string{"wsbuild.yaml:4: images.y: sets neither base nor from; use base for an external image or from for an image of this family"}},
		{name: "empty image", yaml: base + "  y:\n",
			want: []string{"wsbuild.yaml:4: images.y: sets neither base nor from; use base for an external image or from for an image of this family"}},
		{name: "both base and from", yaml: base + "  y:\n    base: debian\n    from: x\n",
			want: []string{"wsbuild.yaml:4: images.y: sets both base and from; use base for an external image or from for an image of this family"}},
		{name: "from unknown image", yaml: "images:\n  python:\n    base: debian\n  b:\n    from: pyton\n",
			want: []string{`wsbuild.yaml:5: images.b.from: image "pyton" does not exist (did you mean "python"?); known images: python, b`}},
		{name: "cycle of two", yaml: "images:\n  a:\n    from: b\n  b:\n    from: a\n",
			want: []string{"wsbuild.yaml:3: images.a.from: cycle: a -> b (wsbuild.yaml:3), b -> a (wsbuild.yaml:5)"}},
		{name: "cycle entered from outside, named from its first image", yaml: "images:\n  z:\n    from: c\n  a:\n    from: b\n  b:\n    from: c\n  c:\n    from: a\n",
			want: []string{"wsbuild.yaml:5: images.a.from: cycle: a -> b (wsbuild.yaml:5), b -> c (wsbuild.yaml:7), c -> a (wsbuild.yaml:9)"}},
		{name: "self cycle", yaml: base + "  s:\n    from: s\n",
			want: []string{"wsbuild.yaml:5: images.s.from: cycle: s -> s (wsbuild.yaml:5)"}},
		{name: "invalid image name", yaml: base + "  Py:\n    from: x\n",
			want: []string{`wsbuild.yaml:4: images.Py: invalid image name "Py": use lowercase letters and digits, separated by ".", "_", "__" or "-"`}},
		{name: "invalid image name separator", yaml: base + "  a--b_:\n    from: x\n",
			want: []string{`wsbuild.yaml:4: images.a--b_: invalid image name "a--b_"...`}},
		{name: "invalid tag", yaml: base + "    tag: .1\n",
			want: []string{`wsbuild.yaml:4: images.x.tag: invalid tag ".1"...`}},
		{name: "tag too long", yaml: base + "    tag: " + strings.Repeat("a", 129) + "\n",
			want: []string{`wsbuild.yaml:4: images.x.tag: invalid tag "aaaa...`}},
		{name: "invalid namespace", yaml: base + "push:\n  - registry: ghcr.io\n    namespace: Lab/ws\n",
			want: []string{`wsbuild.yaml:6: push.0.namespace: invalid namespace "Lab/ws": use lowercase path components separated by "/", such as "lab" or "lab/ws"`}},
		{name: "invalid registry", yaml: base + "push:\n  - registry: http://ghcr.io\n    namespace: lab\n",
			want: []string{`wsbuild.yaml:5: push.0.registry: invalid registry "http://ghcr.io": expected a host with an optional port, such as "ghcr.io" or "127.0.0.1:5000"`}},
		{name: "registry port out of range", yaml: base + "push:\n  - registry: localhost:99999\n    namespace: lab\n",
			want: []string{`wsbuild.yaml:5: push.0.registry: invalid registry "localhost:99999": port must be 1-65535`}},
		{name: "reference too long", yaml: base + "push:\n  - registry: ghcr.io\n    namespace: " + strings.Repeat("a", 250) + "\n",
			want: []string{`wsbuild.yaml:2: images.x: image reference "ghcr.io/aaaa...`}},
		{name: "invalid base", yaml: "images:\n  x:\n    base: Debian:bookworm\n",
			want: []string{`wsbuild.yaml:3: images.x.base: invalid image reference "Debian:bookworm": expected a reference such as "debian:bookworm" (repository name (library/Debian) must be lowercase)`}},
		{name: "invalid digest", yaml: "images:\n  x:\n    base: debian@sha256:abc\n",
			want: []string{`wsbuild.yaml:3: images.x.base: invalid image reference "debian@sha256:abc"...`}},
		{name: "layout base outside the spec's folder", yaml: "images:\n  x:\n    base: oci-layout:../bases/debian.tar\n",
			want: []string{`wsbuild.yaml:3: images.x.base: "oci-layout:../bases/debian.tar": the layout must be next to the spec: give a path inside the spec's folder`}},
		{name: "layout base pinned in the spec", yaml: "images:\n  x:\n    base: oci-layout:debian.tar@sha256:" + strings.Repeat("a", 64) + "\n",
			want: []string{`wsbuild.yaml:3: images.x.base: "oci-layout:debian.tar@sha256:aaaa...`}},
		{name: "layout base without a path", yaml: "images:\n  x:\n    base: \"oci-layout:\"\n",
			want: []string{`wsbuild.yaml:3: images.x.base: "oci-layout:": no path: write oci-layout:PATH[:TAG], PATH a folder or .tar next to the spec`}},
		{name: "base tag the resolver would refuse", yaml: "images:\n  x:\n    base: \"debian:-bad\"\n",
			want: []string{`wsbuild.yaml:3: images.x.base: invalid image reference "debian:-bad": expected a reference such as "debian:bookworm"`}},
		{name: "invalid python", yaml: base + "    python: three\n",
			want: []string{`wsbuild.yaml:4: images.x.python: invalid Python version "three": expected a version such as "3.11"`}},
		{name: "requirements without a folder", yaml: base + "    requirements: req.txt\n",
			want: []string{`wsbuild.yaml:4: images.x.requirements: cannot read "req.txt": no folder was given to read it from`}},
		{name: "requirements unreadable", yaml: base + "    requirements: req.txt\n", fsys: fstest.MapFS{},
			want: []string{`wsbuild.yaml:4: images.x.requirements: reading "req.txt": "req.txt" not found in the spec's folder`}},
		{name: "requirements through a link leaving the folder", yaml: base + "    requirements: lnk/passwd\n",
			fsys: fstest.MapFS{"lnk": {Mode: fs.ModeSymlink, Data: []byte("../../etc")}},
			want: []string{`wsbuild.yaml:4: images.x.requirements: reading "lnk/passwd": "lnk/passwd" leads out of the spec's folder through the symbolic link "lnk": ` +
				`the build receives the link, not what it points to; copy the file into the folder instead`}},
		{name: "requirements an absolute link", yaml: base + "    requirements: req.txt\n",
			fsys: fstest.MapFS{"req.txt": {Mode: fs.ModeSymlink, Data: []byte("/etc/passwd")}},
			want: []string{`wsbuild.yaml:4: images.x.requirements: reading "req.txt": "req.txt" is a symbolic link to the absolute path "/etc/passwd": ` +
				`the build receives the link, not the file; make it a relative link inside the spec's folder or copy the file there`}},
		{name: "requirements including a file outside", yaml: base + "    requirements: req.txt\n",
			fsys: fstest.MapFS{"req.txt": {Data: []byte("numpy\n-r ../other.txt\n")}},
			want: []string{`wsbuild.yaml:4: images.x.requirements: reading "req.txt": req.txt line 2: -r "../other.txt": "../other.txt" leads out of the spec's folder`}},
		{name: "requirements including a missing file", yaml: base + "    requirements: sub/req.txt\n",
			fsys: fstest.MapFS{"sub/req.txt": {Data: []byte("-c constraints.txt\n")}},
			want: []string{`wsbuild.yaml:4: images.x.requirements: reading "sub/req.txt": sub/req.txt line 1: -c "constraints.txt": "sub/constraints.txt" not found in the spec's folder`}},
		{name: "requirements outside the folder", yaml: base + "    requirements: ../req.txt\n", fsys: fstest.MapFS{},
			want: []string{`wsbuild.yaml:4: images.x.requirements: requirements file "../req.txt" leads out of the spec's folder`}},
		{name: "root uid and gid", yaml: base + "    user:\n      uid: 0\n      gid: 0\n",
			want: []string{
				"wsbuild.yaml:5: images.x.user.uid: must not be root (0): the image runs as a normal account",
				"wsbuild.yaml:6: images.x.user.gid: must not be root (0): the image runs as a normal account",
			}},
		{name: "negative uid", yaml: base + "    user: {uid: -5}\n",
			want: []string{"wsbuild.yaml:4: images.x.user.uid: -5 is outside 1000-59999..."}},
		{name: "invalid user name", yaml: base + "    user: {name: Bob}\n",
			want: []string{`wsbuild.yaml:4: images.x.user.name: invalid user name "Bob": use up to 32 lowercase letters, digits, "_" and "-", starting with a letter or "_"`}},
		{name: "root user name", yaml: base + "    user: {name: root}\n",
			want: []string{"wsbuild.yaml:4: images.x.user.name: must not be root: the image runs as a normal account"}},
		{name: "volumes absolute and with dotdot", yaml: base + "    volumes:\n      - /data\n      - a/../b\n      - ok\n",
			want: []string{
				`wsbuild.yaml:5: images.x.volumes.0: volume "/data" must be relative to the user's home`,
				`wsbuild.yaml:6: images.x.volumes.1: volume "a/../b" must not contain ".."`,
			}},
		{name: "copy src absolute and escaping", yaml: base + "    copy:\n      - {src: /etc/passwd, dst: /x}\n      - {src: a/../../b, dst: /y}\n",
			want: []string{
				`wsbuild.yaml:5: images.x.copy.0.src: src "/etc/passwd" must be relative to the spec's folder`,
				`wsbuild.yaml:6: images.x.copy.1.src: src "a/../../b" leads out of the spec's folder`,
			}},
		{name: "copy missing src and dst", yaml: base + "    copy:\n      - {dst: /x}\n      - {src: a}\n",
			want: []string{
				"wsbuild.yaml:5: images.x.copy.0: missing src",
				"wsbuild.yaml:6: images.x.copy.1: missing dst",
			}},
		{name: "bad ports", yaml: base + "    ports: [0, 70000, 80/sctp, abc, 22]\n",
			want: []string{
				`wsbuild.yaml:4: images.x.ports.0: invalid port "0": must be 1-65535`,
				`wsbuild.yaml:4: images.x.ports.1: invalid port "70000": must be 1-65535`,
				`wsbuild.yaml:4: images.x.ports.2: invalid port "80/sctp": protocol must be tcp or udp`,
				`wsbuild.yaml:4: images.x.ports.3: invalid port "abc": expected a number such as 8888 or "53/udp"`,
			}},
		{name: "ports not a list", yaml: base + "    ports: 8888\n",
			want: []string{"wsbuild.yaml:4: images.x.ports: expected a list of ports, got a number"}},
		{name: "bad env names", yaml: base + "    env:\n      1A: x\n      A-B: y\n      OK_1: z\n",
			want: []string{
				`wsbuild.yaml:5: images.x.env.1A: invalid environment variable name "1A": use letters, digits and "_", not starting with a digit`,
				`wsbuild.yaml:6: images.x.env.A-B: invalid environment variable name "A-B"...`,
			}},
		{name: "workdir relative", yaml: base + "    workdir: home\n",
			want: []string{`wsbuild.yaml:4: images.x.workdir: workdir "home" must be an absolute path`}},
		{name: "workdir with ..", yaml: base + "    workdir: /home/user/../../etc\n",
			want: []string{`wsbuild.yaml:4: images.x.workdir: workdir "/home/user/../../etc" must not contain "..": write the folder it means, such as "/etc"`}},
		{name: "copy with an empty dst", yaml: base + "    copy: [{src: a, dst: \"\"}, {src: b, dst: \" \"}]\n",
			want: []string{
				`wsbuild.yaml:4: images.x.copy.0.dst: empty dst: name where the file goes in the image, relative to workdir (such as "app/") or absolute`,
				`wsbuild.yaml:4: images.x.copy.1.dst: empty dst: name where the file goes in the image, relative to workdir (such as "app/") or absolute`}},
		{name: "run empty", yaml: base + "    run: []\n",
			want: []string{"wsbuild.yaml:4: images.x.run: must not be empty"}},
		{name: "run wrong type", yaml: base + "    run: {a: b}\n",
			want: []string{"wsbuild.yaml:4: images.x.run: expected a command string or a list of strings, got a mapping"}},
		{name: "apt item with spaces", yaml: base + "    apt: [git curl]\n",
			want: []string{`wsbuild.yaml:4: images.x.apt.0: invalid package "git curl": one package per list item`}},
		{name: "images missing", yaml: "push: []\n",
			want: []string{"wsbuild.yaml:1: images: missing: a spec declares its images under images:"}},
		{name: "empty file", yaml: "",
			want: []string{"wsbuild.yaml:1: images: missing: a spec declares its images under images:"}},
		{name: "images empty", yaml: "images: {}\n",
			want: []string{"wsbuild.yaml:1: images: no images declared"}},
		{name: "images null", yaml: "images:\n",
			want: []string{"wsbuild.yaml:1: images: no images declared"}},
		{name: "push missing registry and namespace", yaml: base + "push:\n  - namespace: lab\n  - registry: ghcr.io\n",
			want: []string{
				"wsbuild.yaml:5: push.0: missing registry",
				"wsbuild.yaml:6: push.1: missing namespace",
			}},
		{name: "push duplicate", yaml: base + "push:\n  - {registry: ghcr.io, namespace: lab}\n  - {registry: ghcr.io, namespace: lab}\n",
			want: []string{"wsbuild.yaml:6: push.1: duplicate push target ghcr.io/lab (first at wsbuild.yaml:5)"}},
		{name: "errors sorted by line", yaml: "images:\n  a:\n    from: nope\n  b:\n    base: debian\n    tag: -x\n",
			want: []string{
				`wsbuild.yaml:3: images.a.from: image "nope" does not exist; known images: a, b`,
				`wsbuild.yaml:6: images.b.tag: invalid tag "-x"...`,
			}},
	})
}
