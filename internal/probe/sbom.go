package probe

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path"

	"github.com/wsbuild/wsbuild/internal/sbom"
)

// sbomMain runs "wsbuild-probe sbom" with the arguments after "sbom": it
// scans the image filesystem at --root (default /) and each --venv, and
// writes the inventory as indented JSON to --out (mode 0644).
func sbomMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("wsbuild-probe sbom", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	root := fs.String("root", "/", "where the image's filesystem is")
	out := fs.String("out", "", "the file to write the inventory to")
	var venvs []string
	fs.Func("venv", "a virtual environment's absolute path in the image; repeatable", func(v string) error {
		if !path.IsAbs(v) {
			return fmt.Errorf("%q is not an absolute path", v)
		}
		venvs = append(venvs, v)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "wsbuild-probe: sbom: %v\n%s", err, Usage)
		return 2
	}
	if fs.NArg() > 0 || *out == "" {
		fmt.Fprint(stderr, "wsbuild-probe: sbom takes --out FILE and no other arguments\n"+Usage)
		return 2
	}
	inv, err := sbom.Scan(*root, venvs...)
	if err != nil {
		fmt.Fprintf(stderr, "wsbuild-probe: %v\n", err)
		return 1
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(inv); err != nil {
		fmt.Fprintf(stderr, "wsbuild-probe: encoding the inventory: %v\n", err)
		return 1
	}
	if err := writeFile(*out, b.Bytes()); err != nil {
		fmt.Fprintf(stderr, "wsbuild-probe: writing the inventory to %q: %v\n", *out, err)
		return 1
	}
	fmt.Fprintf(stdout, "wsbuild-probe: %d packages written to %s\n", len(inv.Packages), *out)
	return 0
}

// writeFile writes data to name with mode 0644, whatever the umask or an
// existing file's mode.
func writeFile(name string, data []byte) error {
	if err := os.WriteFile(name, data, 0o644); err != nil {
		return err
	}
	return os.Chmod(name, 0o644)
}
