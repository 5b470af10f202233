package frontend

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"time"

	"github.com/moby/buildkit/frontend/gateway/client"
	fstypes "github.com/tonistiigi/fsutil/types"
)

// refFS is a read-only fs.FS over a solved reference (the build context),
// read through the gateway: the spec reads its requirements files and the
// planner hashes copied sources through it, as the CLI does on disk. Lstat
// and ReadLink see links as links (what BuildKit sends); Open and Stat
// follow them.
type refFS struct {
	ctx context.Context
	ref client.Reference
}

// maxLinks bounds the links followed for one name, as the kernel does.
const maxLinks = 40

func (f *refFS) full(name string) string {
	if name == "." {
		return "/"
	}
	return "/" + name
}

// Lstat describes name without following a final link.
func (f *refFS) Lstat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "lstat", Path: name, Err: fs.ErrInvalid}
	}
	st, err := f.ref.StatFile(f.ctx, client.StatRequest{Path: f.full(name)})
	if err != nil {
		return nil, &fs.PathError{Op: "lstat", Path: name, Err: fs.ErrNotExist}
	}
	return info{st}, nil
}

// ReadLink returns the target of the link name.
func (f *refFS) ReadLink(name string) (string, error) {
	fi, err := f.Lstat(name)
	if err != nil {
		return "", err
	}
	st := fi.(info).st
	if fi.Mode()&fs.ModeSymlink == 0 {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	return st.Linkname, nil
}

// Stat describes name, following links inside the context.
func (f *refFS) Stat(name string) (fs.FileInfo, error) {
	real, err := f.follow(name)
	if err != nil {
		return nil, err
	}
	return f.Lstat(real)
}

// follow resolves a final link of name, relative to its folder.
func (f *refFS) follow(name string) (string, error) {
	for range maxLinks {
		fi, err := f.Lstat(name)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return name, err
		}
		target := fi.(info).st.Linkname
		if path.IsAbs(target) {
			return "", &fs.PathError{Op: "stat", Path: name, Err: errors.New("an absolute link leads out of the build context")}
		}
		name = path.Clean(path.Join(path.Dir(name), target))
		if !fs.ValidPath(name) {
			return "", &fs.PathError{Op: "stat", Path: name, Err: errors.New("a link leads out of the build context")}
		}
	}
	return "", &fs.PathError{Op: "stat", Path: name, Err: errors.New("too many links")}
}

// ReadFile reads name, following links.
func (f *refFS) ReadFile(name string) ([]byte, error) {
	real, err := f.follow(name)
	if err != nil {
		return nil, err
	}
	b, err := f.ref.ReadFile(f.ctx, client.ReadRequest{Filename: f.full(real)})
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	return b, nil
}

// ReadDir lists the folder name, sorted by name.
func (f *refFS) ReadDir(name string) ([]fs.DirEntry, error) {
	real, err := f.follow(name)
	if err != nil {
		return nil, err
	}
	sts, err := f.ref.ReadDir(f.ctx, client.ReadDirRequest{Path: f.full(real)})
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	out := make([]fs.DirEntry, 0, len(sts))
	for _, st := range sts {
		out = append(out, fs.FileInfoToDirEntry(info{st}))
	}
	return out, nil
}

// Open opens name: a file is read whole, a folder listed.
func (f *refFS) Open(name string) (fs.File, error) {
	fi, err := f.Stat(name)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		entries, err := f.ReadDir(name)
		if err != nil {
			return nil, err
		}
		return &dir{fi: fi, entries: entries}, nil
	}
	data, err := f.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return &file{fi: fi, Reader: bytes.NewReader(data)}, nil
}

// info is a gateway Stat as an fs.FileInfo.
type info struct{ st *fstypes.Stat }

func (i info) Name() string       { return path.Base(i.st.Path) }
func (i info) Size() int64        { return i.st.Size }
func (i info) Mode() fs.FileMode  { return os.FileMode(i.st.Mode) }
func (i info) ModTime() time.Time { return time.Unix(0, i.st.ModTime) }
func (i info) IsDir() bool        { return i.Mode().IsDir() }
func (i info) Sys() any           { return i.st }

type file struct {
	fi fs.FileInfo
	*bytes.Reader
}

func (f *file) Stat() (fs.FileInfo, error) { return f.fi, nil }
func (f *file) Close() error               { return nil }

type dir struct {
	fi      fs.FileInfo
	entries []fs.DirEntry
}

func (d *dir) Stat() (fs.FileInfo, error) { return d.fi, nil }
func (d *dir) Close() error               { return nil }
func (d *dir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.fi.Name(), Err: fs.ErrInvalid}
}

// ReadDir returns the next n entries, or all that are left for n <= 0.
func (d *dir) ReadDir(n int) ([]fs.DirEntry, error) {
	if n <= 0 {
		out := d.entries
		d.entries = nil
		return out, nil
	}
	if len(d.entries) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(d.entries))
	out := d.entries[:n]
	d.entries = d.entries[n:]
	return out, nil
}
