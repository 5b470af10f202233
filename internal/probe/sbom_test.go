package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fakeImage writes files (slash-separated paths, relative to the root)
// into a new directory and returns it.
func fakeImage(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestMainSBOM(t *testing.T) {
	const site = "opt/venv/lib/python3.11/site-packages/"
	root := fakeImage(t, map[string]string{
		"etc/os-release": "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n",
		"var/lib/dpkg/status": "Package: python3.11\nStatus: install ok installed\nArchitecture: amd64\n" +
			"Source: python3.11 (3.11.2-6)\nVersion: 3.11.2-6+deb12u1\nDescription: Interactive language\n more text\n .\n\n" +
			"Package: vim-tiny\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 2:9.0.1378-2\n" +
			"Conffiles:\n /etc/vim/vimrc.tiny 0123\n",
		site + "Jinja2-3.1.4.dist-info/METADATA":          "Metadata-Version: 2.1\nName: Jinja2\nVersion: 3.1.4\nClassifier: License :: OSI Approved :: BSD License\n\nA description.\n",
		site + "local_tool-0.2.dist-info/METADATA":        "Metadata-Version: 2.4\nName: local_tool\nVersion: 0.2\nLicense-Expression: MIT\n",
		site + "local_tool-0.2.dist-info/direct_url.json": `{"url": "file:///src/local-tool", "dir_info": {}}`,
	})
	out := filepath.Join(t.TempDir(), "inventory.json")
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"sbom", "--root", root, "--venv", "/opt/venv", "--out", out}, os.Getenv, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "3 packages written to "+out) {
		t.Errorf("stdout %q", stdout.String())
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(out)
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("%v:\n%s", err, data)
	}
	want := map[string]any{
		"os": map[string]any{"id": "debian", "version_id": "12", "pretty_name": "Debian GNU/Linux 12 (bookworm)"},
		"packages": []any{
			map[string]any{"type": "deb", "name": "python3.11", "version": "3.11.2-6+deb12u1", "arch": "amd64"},
			map[string]any{"type": "pypi", "name": "jinja2", "version": "3.1.4", "license": "BSD License",
				"path": site + "Jinja2-3.1.4.dist-info"},
			map[string]any{"type": "pypi", "name": "local-tool", "version": "0.2", "license": "MIT",
				"location": "file:///src/local-tool", "path": site + "local_tool-0.2.dist-info"},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("inventory\n%s\nwant %v", data, want)
	}
	if !strings.HasPrefix(string(data), "{\n  \"os\": {") {
		t.Errorf("the inventory is not indented JSON:\n%s", data)
	}
}

func TestMainSBOMFails(t *testing.T) {
	broken := fakeImage(t, map[string]string{"var/lib/dpkg/status": "Package: a\nno colon here\n"})
	out := filepath.Join(t.TempDir(), "inv.json")
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no out", []string{"sbom", "--root", broken}, 2, "sbom takes --out FILE"},
		{"extra argument", []string{"sbom", "--out", out, "extra"}, 2, "sbom takes --out FILE"},
		{"relative venv", []string{"sbom", "--venv", "opt/venv", "--out", out}, 2, `"opt/venv" is not an absolute path`},
		{"bad flag", []string{"sbom", "--roots", "/", "--out", out}, 2, "flag provided but not defined: -roots"},
		{"malformed status", []string{"sbom", "--root", broken, "--out", out}, 1,
			`wsbuild-probe: parsing "/var/lib/dpkg/status": line 2: "no colon here" is neither a field nor a continuation line` + "\n"},
		{"missing root", []string{"sbom", "--root", filepath.Join(broken, "none"), "--out", out}, 1, "wsbuild-probe: scanning"},
		{"unwritable out", []string{"sbom", "--root", t.TempDir(), "--out", filepath.Join(broken, "none", "inv.json")}, 1, "wsbuild-probe: writing the inventory to"},
	} {
		var stdout, stderr bytes.Buffer
		code := Main(context.Background(), tc.args, os.Getenv, &stdout, &stderr)
		if code != tc.code || !strings.Contains(stderr.String(), tc.stderr) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q in it", tc.name, code, stderr.String(), tc.code, tc.stderr)
		}
		if code == 1 && strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("%s: stderr %q, want one line", tc.name, stderr.String())
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed run wrote the inventory")
	}
}
