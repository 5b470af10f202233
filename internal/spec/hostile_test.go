package spec

import (
	"testing"
)

// TestHostileItems are the item values issue 10 found accepted: system
// accounts, control characters, two requirements in one item, credentials
// in a pip URL, empty and NUL commands.
func TestHostileItems(t *testing.T) {
	runErrCases(t, []errCase{
		{name: "uid of daemon", yaml: base + "    user: {uid: 1}\n",
			want: []string{`wsbuild.yaml:4: images.x.user.uid: 1 is outside 1000-59999: ids below 1000 are the OS's system accounts and groups (daemon, sudo, shadow), and above 59999 are not normal accounts`}},
		{name: "gid of shadow and sudo", yaml: base + "    user:\n      gid: 42\n      uid: 27\n",
			want: []string{`wsbuild.yaml:5: images.x.user.gid: 42 is outside 1000-59999...`, `wsbuild.yaml:6: images.x.user.uid: 27 is outside 1000-59999...`}},
		{name: "huge uid", yaml: base + "    user: {uid: 4000000000}\n",
			want: []string{`wsbuild.yaml:4: images.x.user.uid: integer 4000000000 is out of range`}},
		{name: "apt item with CR", yaml: base + "    apt: [\"git\\r\"]\n",
			want: []string{`wsbuild.yaml:4: images.x.apt.0: invalid package "git\r": control characters are not part of a package name`}},
		{name: "apt item with NUL", yaml: base + "    apt: [\"git\\0\"]\n",
			want: []string{`wsbuild.yaml:4: images.x.apt.0: invalid package "git\x00": control characters are not part of a package name`}},
		{name: "pip items with whitespace", yaml: base + "    python: \"3.11\"\n    pip: [\"numpy pandas\", \" numpy\", \"numpy\\n--index-url=http://x\"]\n",
			want: []string{
				`wsbuild.yaml:5: images.x.pip.0: invalid package "numpy pandas": one requirement per list item`,
				`wsbuild.yaml:5: images.x.pip.1: invalid package " numpy": leading or trailing whitespace`,
				`wsbuild.yaml:5: images.x.pip.2: invalid package "numpy\n--index-url=http://x": control characters (newline, tab, CR, NUL) are not part of a requirement`,
			}},
		{name: "credential in a pip URL", yaml: base + "    python: \"3.11\"\n    pip: [\"git+https://user:s3cret@git.example.com/lab/tool.git\"]\n",
			want: []string{`wsbuild.yaml:5: images.x.pip.0: invalid package "git+https://***@git.example.com/lab/tool.git": a URL with credentials would be written into the build graph and its logs; give the index or repository without them, and its token as a build secret`}},
		{name: "run with an empty command", yaml: base + "    run: [\"\"]\n",
			want: []string{`wsbuild.yaml:4: images.x.run: the command (its first item) is empty`}},
		{name: "run with NUL", yaml: base + "    run: [\"a\\0b\"]\n",
			want: []string{`wsbuild.yaml:4: images.x.run.0: an argument cannot hold a NUL character`}},
		{name: "run string of spaces", yaml: base + "    run: \"  \"\n",
			want: []string{`wsbuild.yaml:4: images.x.run: must not be empty or hold a NUL character`}},
	})
}

// TestPipItemsPEP508 keeps what PEP 508 allows accepted: spaces before an
// operator, a marker or a URL.
func TestPipItemsPEP508(t *testing.T) {
	for _, item := range []string{"numpy >= 2", "numpy ; python_version < '3.12'", "torch @ https://example.com/torch.whl", "tensorflow[and-cuda]>=2", "git+https://git.example.com/lab/tool.git"} {
		if _, err := checkPipPackage(item); err != nil {
			t.Errorf("%q: %v", item, err)
		}
	}
}
