package spec

import (
	"fmt"
	"io"
	"os"
)

// Limits on what a spec may hold, so that a hostile or mistaken spec of a
// few bytes cannot make wsbuild use gigabytes of memory or minutes of time.
// Each is checked before the work it bounds is done, and going over one is
// an *Error naming the file and line where the limit was passed.
const (
	// MaxSpecBytes is the largest spec file Load and Parse accept: 1 MiB.
	// The stock catalogue is under 3 KB; a spec is read no further than
	// this, and the error names the line the limit falls on.
	MaxSpecBytes = 1 << 20

	// MaxOverrideFileBytes is the largest override file (--set-file)
	// ReadOverrideFile accepts: 1 MiB, read no further.
	MaxOverrideFileBytes = 1 << 20

	// MaxAliasNodes is how many YAML nodes the aliases of the spec (or of
	// one --set value) may add to it when expanded: 100,000. Each use of an
	// alias (*name) counts the nodes of what it names, aliases in it
	// included, so nested aliases (a "billion laughs") are refused at the
	// alias that passes the limit, before anything is expanded. An alias
	// that names a node containing itself is refused too.
	MaxAliasNodes = 100_000

	// DefaultMaxImages is how many images a family may have, matrix
	// variants included, unless WithMaxImages (wsbuild's --max-images)
	// says otherwise: 1,000. The images declared under images: are counted
	// before any is decoded, and each image's combinations of axis values
	// (before exclude drops any) before they are made.
	DefaultMaxImages = 1000

	// NodesPerImage is the average number of YAML nodes each allowed image
	// may copy when matrix variants are made: every variant is a copy of
	// its image's mapping, aliases expanded. A family may copy at most
	// NodesPerImage times its image limit, 1,000,000 nodes by default; a
	// 100-line image is about 300 nodes.
	NodesPerImage = 1000
)

// WithMaxImages sets how many images the family may have, matrix variants
// included, n at least 1. Default: DefaultMaxImages.
func WithMaxImages(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("spec.WithMaxImages: %d is not a positive number of images", n)
		}
		o.maxImages = n
		return nil
	}
}

// readLimited reads the file at path, but no more than limit+1 bytes of it,
// so that a file over the limit is known to be without reading it all.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit+1))
}

// tooLong returns the error for a file, data, read from name that holds
// more than limit bytes, or nil: it names the line the limit falls on.
func tooLong(name, what string, data []byte, limit int) *Error {
	if len(data) <= limit {
		return nil
	}
	line := lineAt(data, limit)
	return &Error{Pos: Position{File: name, Line: line},
		Msg: fmt.Sprintf("%s is longer than %d bytes (%s), the most wsbuild reads; it passes that limit on this line", what, limit, mib(limit))}
}

// mib writes a number of bytes in MiB, such as "1 MiB".
func mib(n int) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// ReadOverrideFile reads the override file at path (--set-file) and splits
// it into overrides with ReadOverrides. A file over MaxOverrideFileBytes is
// read no further and refused there; failing to read it is a wrapped I/O
// error.
func ReadOverrideFile(path string) ([]Override, error) {
	data, err := readLimited(path, MaxOverrideFileBytes)
	if err != nil {
		return nil, fmt.Errorf("reading override file %q: %w", path, err)
	}
	return ReadOverrides(path, data)
}
