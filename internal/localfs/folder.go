// Package localfs reads the files a spec names in its folder (copy sources,
// requirements files and the files they include) the way the build will
// receive them: every path is resolved inside the folder, symbolic links are
// followed only while they stay inside it, and the paths the build context
// must send are listed, escaped for BuildKit's include patterns.
package localfs

import (
	"fmt"
	"io/fs"
	"os"
	"path"
)

// Folder is a spec's folder opened with os.Root, so that no read through it
// leaves the folder, whatever links it holds. It knows its name for errors.
type Folder struct {
	root *os.Root
	fsys fs.FS
	dir  string
}

// Open opens the folder dir. Close it when done.
func Open(dir string) (*Folder, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("opening the spec's folder %q: %w", dir, err)
	}
	return &Folder{root: r, fsys: r.FS(), dir: dir}, nil
}

// Close releases the folder.
func (f *Folder) Close() error { return f.root.Close() }

// Dir is the folder's name as given to Open.
func (f *Folder) Dir() string { return f.dir }

// Open opens name inside the folder (fs.FS).
func (f *Folder) Open(name string) (fs.File, error) { return f.fsys.Open(name) }

// ReadLink returns the target of the link name (fs.ReadLinkFS).
func (f *Folder) ReadLink(name string) (string, error) { return fs.ReadLink(f.fsys, name) }

// Lstat describes name without following a final link (fs.ReadLinkFS).
func (f *Folder) Lstat(name string) (fs.FileInfo, error) { return fs.Lstat(f.fsys, name) }

// Stat describes name, following links inside the folder (fs.StatFS).
func (f *Folder) Stat(name string) (fs.FileInfo, error) { return fs.Stat(f.fsys, name) }

// ReadDir lists the folder name (fs.ReadDirFS).
func (f *Folder) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(f.fsys, name) }

// ReadFile reads name (fs.ReadFileFS).
func (f *Folder) ReadFile(name string) ([]byte, error) { return fs.ReadFile(f.fsys, name) }

// Where names the folder fsys is for errors: `the spec's folder "DIR"` for
// a Folder, `the spec's folder` for another file system.
func Where(fsys fs.FS) string {
	if f, ok := fsys.(interface{ Dir() string }); ok && f.Dir() != "" {
		return fmt.Sprintf("the spec's folder %q", f.Dir())
	}
	return "the spec's folder"
}

// NotFoundError says that a path is missing from the spec's folder, naming
// the folder. It matches fs.ErrNotExist.
type NotFoundError struct {
	// Path is the path as asked for.
	Path string
	// Missing is the first component found missing, with the links before
	// it followed; it may be Path.
	Missing string
	// Folder is Where the folder is.
	Folder string
}

// Error says what is missing where.
func (e *NotFoundError) Error() string {
	if e.Missing == path.Clean(e.Path) {
		return fmt.Sprintf("%q not found in %s", e.Path, e.Folder)
	}
	return fmt.Sprintf("%q not found in %s (there is no %q)", e.Path, e.Folder, e.Missing)
}

// Unwrap is fs.ErrNotExist.
func (e *NotFoundError) Unwrap() error { return fs.ErrNotExist }
