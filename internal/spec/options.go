package spec

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/wsbuild/wsbuild/internal/localfs"
)

// Option configures Parse.
type Option func(*options) error

type options struct {
	list []Override
	sets []string
	// push are WithPushTarget's overrides, applied after every other.
	push []Override
	fsys fs.FS
	// maxImages is WithMaxImages' limit; 0 means DefaultMaxImages.
	maxImages int
}

// WithOverrides applies command-line overrides such as "python.tag=1.2" or
// "pytorch.env.FOO=bar" to the spec before it is decoded, so they are checked
// like the file itself. The path is under images:, the value is a YAML flow
// value ("[git, curl]", "1001", plain words stay strings). Problems in an
// override are reported at Position{File: OverrideFile, Line: its 1-based
// index}. Default: no overrides.
func WithOverrides(sets []string) Option {
	return func(o *options) error {
		o.sets = append(o.sets, sets...)
		return nil
	}
}

// WithOverrideList applies overrides read from files (see ReadOverrides) to
// the spec, in order and before those of WithOverrides, so that --set has the
// last word. They are checked like WithOverrides' and problems with them are
// reported at each override's Pos. Default: none.
func WithOverrideList(list []Override) Option {
	return func(o *options) error {
		o.list = append(o.list, list...)
		return nil
	}
}

// WithPushTarget replaces the registry and the namespace of every push
// target, when not "", after every other override: it is what --registry
// and --namespace do, and problems with them are reported at those flags.
func WithPushTarget(registry, namespace string) Option {
	return func(o *options) error {
		if registry != "" {
			o.push = append(o.push, Override{Value: "push.registry=" + registry, Pos: Position{File: "--registry"}})
		}
		if namespace != "" {
			o.push = append(o.push, Override{Value: "push.namespace=" + namespace, Pos: Position{File: "--namespace"}})
		}
		return nil
	}
}

// WithFS gives the folder the spec lives in, used to read the files named by
// requirements:. Default: none, and a spec naming a requirements file is an error.
func WithFS(fsys fs.FS) Option {
	return func(o *options) error {
		if fsys == nil {
			return errors.New("spec.WithFS: nil file system")
		}
		o.fsys = fsys
		return nil
	}
}

// Load reads the spec file at path and parses it with the given overrides,
// reading requirements files from the folder the spec lives in, through
// os.Root so that no link leads out of it; opts are applied after those.
// Problems in the spec are an ErrorList; failing to read the file is a
// wrapped I/O error. A file over MaxSpecBytes is read no further than that
// and refused.
func Load(path string, sets []string, opts ...Option) (*Family, error) {
	data, err := readLimited(path, MaxSpecBytes)
	if err != nil {
		return nil, fmt.Errorf("reading spec %q: %w", path, err)
	}
	folder, err := localfs.Open(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	defer folder.Close()
	opts = append([]Option{WithOverrides(sets), WithFS(folder)}, opts...)
	return Parse(path, data, opts...)
}
