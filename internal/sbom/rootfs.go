package sbom

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// maxLinks is how many symbolic links one path may pass through, as Linux
// allows.
const maxLinks = 40

// rootFS is an fs.FS for an image's filesystem unpacked at a directory. Unlike
// os.DirFS it resolves symbolic links as they resolve inside the image:
// an absolute target starts again at the directory and ".." stops there, so
// nothing outside the directory is read (an image's /etc/os-release may point
// at /usr/lib/os-release, which must not be the host's).
type rootFS string

// host returns the host path of rel, a slash-separated path in the image.
func (r rootFS) host(rel string) string {
	return filepath.Join(string(r), filepath.FromSlash(rel))
}

// resolve returns the host path of name with every symbolic link on the
// way resolved inside the image.
func (r rootFS) resolve(op, name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	done := "" // resolved so far, free of links, relative to the root
	todo := strings.Split(name, "/")
	for links := 0; len(todo) > 0; {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if done = path.Dir(done); done == "." {
				done = ""
			}
			continue
		}
		next := path.Join(done, c)
		fi, err := os.Lstat(r.host(next))
		if err != nil {
			return "", &fs.PathError{Op: op, Path: name, Err: underlying(err)}
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			done = next
			continue
		}
		if links++; links > maxLinks {
			return "", &fs.PathError{Op: op, Path: name, Err: errors.New("too many levels of symbolic links")}
		}
		target, err := os.Readlink(r.host(next))
		if err != nil {
			return "", &fs.PathError{Op: op, Path: name, Err: underlying(err)}
		}
		if path.IsAbs(target) {
			done = ""
		}
		todo = append(strings.Split(target, "/"), todo...)
	}
	return r.host(done), nil
}

// underlying strips the *fs.PathError around err, whose path is a host path.
func underlying(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Open implements fs.FS.
func (r rootFS) Open(name string) (fs.File, error) {
	p, err := r.resolve("open", name)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: underlying(err)}
	}
	return f, nil
}

// ReadFile implements fs.ReadFileFS.
func (r rootFS) ReadFile(name string) ([]byte, error) {
	p, err := r.resolve("read", name)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: underlying(err)}
	}
	return data, nil
}

// ReadDir implements fs.ReadDirFS.
func (r rootFS) ReadDir(name string) ([]fs.DirEntry, error) {
	p, err := r.resolve("readdir", name)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: underlying(err)}
	}
	return entries, nil
}
