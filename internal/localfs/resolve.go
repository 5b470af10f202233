package localfs

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// maxLinks is how many links one path may pass through, as Linux allows.
const maxLinks = 40

// Resolved is a path of the folder with its links followed.
type Resolved struct {
	// Path is where the file is, with no link in it, such as "v2/app".
	Path string
	// Links are the links passed through on the way, each where it lies
	// (with no link before it), in the order they were met.
	Links []string
}

// Sent is every path the build context must send for the build to see the
// path as written: the links passed through and the real path.
func (r Resolved) Sent() []string {
	return append(append([]string(nil), r.Links...), r.Path)
}

// Resolve follows p, a slash-separated path relative to fsys, component by
// component as the kernel would: ".." after a link goes up from where the
// link led. A link with an absolute target, or one that leads out of the
// folder, is an error naming it, and so is a missing component.
//
// BuildKit sends links as links and resolves them inside what it received,
// so a path resolved here names the same file in the build as on disk.
func Resolve(fsys fs.FS, p string) (Resolved, error) {
	var r Resolved
	parts := strings.Split(p, "/")
	done := "."
	for len(parts) > 0 {
		name := parts[0]
		parts = parts[1:]
		switch name {
		case "", ".":
			continue
		case "..":
			if done == "." {
				return r, leaves(p, r.Links)
			}
			done = path.Dir(done)
			continue
		}
		cur := path.Join(done, name)
		info, err := fs.Lstat(fsys, cur)
		if errors.Is(err, fs.ErrNotExist) {
			return r, &NotFoundError{Path: p, Missing: cur, Folder: Where(fsys)}
		}
		if err != nil {
			return r, err
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			if len(parts) > 0 && !info.IsDir() {
				return r, &fs.PathError{Op: "open", Path: p, Err: fmt.Errorf("%q is not a folder", cur)}
			}
			done = cur
			continue
		}
		if len(r.Links) == maxLinks {
			return r, fmt.Errorf("%q passes through more than %d symbolic links", p, maxLinks)
		}
		target, err := fs.ReadLink(fsys, cur)
		if err != nil {
			return r, err
		}
		r.Links = append(r.Links, cur)
		if path.IsAbs(target) {
			return r, fmt.Errorf("%q is a symbolic link to the absolute path %q: the build receives the link, not the file; "+
				"make it a relative link inside the spec's folder or copy the file there", cur, target)
		}
		parts = append(strings.Split(target, "/"), parts...)
	}
	r.Path = done
	return r, nil
}

func leaves(p string, links []string) error {
	if len(links) == 0 {
		return fmt.Errorf("%q leads out of the spec's folder", p)
	}
	return fmt.Errorf("%q leads out of the spec's folder through the symbolic link %q: the build receives the link, not what it points to; "+
		"copy the file into the folder instead", p, links[len(links)-1])
}

// IsNotExist reports whether err says a path is missing.
func IsNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
