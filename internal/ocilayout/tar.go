package ocilayout

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// tarFolder writes the regular files under dir to the tarball out, named
// relative to dir; it replaces out only once the tarball is complete.
func tarFolder(dir, out string) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(out), ".wsbuild-export-*.tar")
	if err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	tw := tar.NewWriter(tmp)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: filepath.ToSlash(rel), Mode: 0o644, Size: info.Size(), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(tw, f)
		return err
	})
	err = errors.Join(err, tw.Close(), tmp.Chmod(0o644), tmp.Close())
	if err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	return nil
}

// untar unpacks the tarball at src into a new temporary folder and returns
// it. Only regular files and folders are taken, and a name that would
// leave the folder is an error.
func untar(src string) (dir string, err error) {
	f, err := os.Open(src)
	if err != nil {
		return "", fmt.Errorf("reading OCI layout: %w", err)
	}
	defer f.Close()
	if dir, err = os.MkdirTemp("", "wsbuild-import-*"); err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(dir)
		}
	}()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return dir, nil
		}
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", src, err)
		}
		name := path.Clean(h.Name)
		if path.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") {
			return "", fmt.Errorf("reading %s: entry %q leaves the layout", src, h.Name)
		}
		target := filepath.Join(dir, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return "", err
			}
		case tar.TypeReg:
			if err := writeFile(target, tr); err != nil {
				return "", fmt.Errorf("reading %s: %w", src, err)
			}
		default:
			return "", fmt.Errorf("reading %s: entry %q is not a file or a folder", src, h.Name)
		}
	}
}

func writeFile(target string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, r)
	return errors.Join(err, out.Close())
}
