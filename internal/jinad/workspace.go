package jinad

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/wsbuild/wsbuild/internal/localfs"
	"github.com/wsbuild/wsbuild/internal/spec"
)

// RequirementsFile is the workspace's pip requirements file.
const RequirementsFile = "requirements.txt"

// Workspace is a JinaD-style workspace folder, as a spec needs it.
type Workspace struct {
	// Config is the parsed .jinad.
	Config *Config
	// Requirements is true when the folder has a requirements.txt.
	Requirements bool
	// Files are the top-level entries copied into the image, sorted:
	// everything but dotfiles, requirements.txt and spec.DefaultFile.
	Files []string
	// Warnings are the .jinad's warnings and the entries left out.
	Warnings []string
}

// Scan reads the workspace in fsys: its .jinad, whether it has a
// requirements.txt, and the entries to copy. dir is how the folder is named
// in errors and warnings ("ws" gives "ws/.jinad:3: ..."); exclude names
// more top-level entries to leave out, such as the spec being written.
func Scan(fsys fs.FS, dir string, exclude ...string) (*Workspace, error) {
	name := path.Join(dir, FileName)
	data, err := localfs.ReadFile(fsys, FileName)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: not found: a JinaD workspace has its settings in %s", name, FileName)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	cfg, err := Parse(name, data)
	if err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", dir, err)
	}
	w := &Workspace{Config: cfg, Warnings: slices.Clone(cfg.Warnings)}
	for _, e := range entries {
		n := e.Name()
		switch {
		case n == RequirementsFile:
			if err := w.requirements(fsys, e, path.Join(dir, n)); err != nil {
				return nil, err
			}
		case strings.HasPrefix(n, "."), n == spec.DefaultFile, slices.Contains(exclude, n):
		case !e.IsDir() && !e.Type().IsRegular():
			w.Warnings = append(w.Warnings, fmt.Sprintf("%s: not copied: not a file or folder", path.Join(dir, n)))
		default:
			w.Files = append(w.Files, n)
		}
	}
	return w, nil
}

// requirements notes the workspace's requirements.txt, e, named name in
// messages: a file, or a link followed inside the workspace (with a warning
// saying so). A link leading out of the workspace, or to nothing, is an
// error; a folder of that name is left out with a warning.
func (w *Workspace) requirements(fsys fs.FS, e fs.DirEntry, name string) error {
	if e.Type()&fs.ModeSymlink == 0 {
		if e.Type().IsRegular() {
			w.Requirements = true
		} else {
			w.Warnings = append(w.Warnings, fmt.Sprintf("%s: not used: not a file", name))
		}
		return nil
	}
	target, _ := fs.ReadLink(fsys, RequirementsFile)
	r, err := localfs.Resolve(fsys, RequirementsFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: a symbolic link to %q, which does not exist", name, target)
	case err != nil:
		return fmt.Errorf("%s: a symbolic link to %q, which leads out of the workspace or cannot be followed: "+
			"copy the file into the workspace instead", name, target)
	}
	if st, err := fs.Stat(fsys, r.Path); err != nil || !st.Mode().IsRegular() {
		return fmt.Errorf("%s: a symbolic link to %q, which is not a file", name, target)
	}
	w.Requirements = true
	w.Warnings = append(w.Warnings, fmt.Sprintf("%s: a symbolic link to %q inside the workspace: pip reads %s through it",
		name, target, path.Join(path.Dir(name), r.Path)))
	return nil
}

// ImageName turns a folder's name into a valid image name: lowercase
// letters and digits, runs of anything else turned into "-", separators
// trimmed from both ends; "workspace" when nothing is left.
func ImageName(folder string) string {
	var b strings.Builder
	sep := ""
	for _, r := range strings.ToLower(folder) {
		if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') {
			if b.Len() > 0 {
				b.WriteString(separator(sep))
			}
			sep = ""
			b.WriteRune(r)
			continue
		}
		sep += string(r)
	}
	name := b.String()
	if len(name) > 128 {
		name = strings.TrimRight(name[:128], "._-")
	}
	if name == "" {
		return "workspace"
	}
	return name
}

// separator keeps sep when it is a separator image names allow between two
// components (".", "_", "__" or dashes), and makes it "-" otherwise.
func separator(sep string) string {
	if sep == "." || sep == "_" || sep == "__" || strings.Trim(sep, "-") == "" {
		if sep == "" {
			return ""
		}
		return sep
	}
	return "-"
}
