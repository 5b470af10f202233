package jinad

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/wsbuild/wsbuild/internal/spec"
)

// FuzzParse reads a .jinad: each problem is an *Error at a line of it, and
// a .jinad that is read gives a spec that validates (wsbuild init --from
// writes no spec its own validate refuses).
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"",
		"\uFEFFpython = 3.11\n",
		"# settings\r\n; more\r\n[jina]\r\n\r\npython = 3.10.4\r\nports = 8000, 8001 ,9000\r\n",
		"build = devel\npython = 3.11\nports = 8000\nrun = python app.py\n",
		"run = python -c \"print('hi')\" | tee log\n",
		"run = 'python app.py --name \"a b\"'\n",
		"run = \"unterminated\n",
		"run = python\x00app.py\n",
		"run = echo 'a\nb'\n",
		"ports = 8000,,8001\nports = 0\n",
		"python = 3.11\xff\n",
		"[jina\n  indented = 1\n[other]\n",
		"python: 3.12\nrun: gunicorn --bind 0.0.0.0:8000 app:app\n",
		"run = " + strings.Repeat("a ", 100000) + "\n",
		strings.Repeat("ports = 1\n", 10000),
	} {
		f.Add([]byte(s))
	}
	fsys := fstest.MapFS{RequirementsFile: {Data: []byte("numpy\n")}, "app.py": {Data: []byte("print(1)\n")}}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(".jinad", data)
		if err != nil {
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				var je *Error
				if !errors.As(e, &je) || je.File != ".jinad" || je.Line < 1 {
					t.Errorf("problem %v (%T) is not at a line of .jinad", e, e)
				}
			}
			return
		}
		w := &Workspace{Config: cfg, Requirements: true, Files: []string{"app.py"}}
		out, err := w.Spec(SpecOptions{Image: "ws", Dir: ".", Source: "ws"})
		if err != nil {
			return // a run: Command cannot split, said as such
		}
		if _, err := spec.Parse(spec.DefaultFile, out, spec.WithFS(fsys)); err != nil {
			t.Errorf("the spec made of %q does not validate: %v\n%s", data, err, out)
		}
	})
}

// TestParseRefusesNUL: a run line with a NUL character, which the spec
// init writes from it would refuse, is an error of the .jinad.
func TestParseRefusesNUL(t *testing.T) {
	_, err := Parse(".jinad", []byte("python = 3.11\nrun = python\x00app.py\n"))
	if want := `.jinad:2: run: a command cannot hold a NUL character: "python\x00app.py"`; err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

// TestParseRefusesEmptyCommandName: run = """" would be run: [""], and
// run = '" "' run: [" "], which the spec refuses.
func TestParseRefusesEmptyCommandName(t *testing.T) {
	for in, want := range map[string]string{
		`run = """"`:  `.jinad:1: run: empty command name in "\"\"\"\""`,
		`run = '" "'`: `.jinad:1: run: empty command name in "\" \""`,
	} {
		if _, err := Parse(".jinad", []byte(in)); err == nil || err.Error() != want {
			t.Errorf("%s: error %v, want %s", in, err, want)
		}
	}
}
