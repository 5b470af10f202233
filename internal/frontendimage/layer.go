package frontendimage

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// file is one executable of the layer: its absolute path in the image and its bytes.
type file struct {
	path string
	data []byte
}

// layerTar returns the uncompressed layer: the parent folders of files (mode
// 0755), then files, in the given order, each owned by 0:0 with mode 0755
// and mtime t. Nothing else varies, so equal inputs give equal bytes.
func layerTar(files []file, t time.Time) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := map[string]bool{}
	for _, f := range files {
		name := strings.TrimPrefix(path.Clean(f.path), "/")
		for _, d := range parents(name) {
			if dirs[d] {
				continue
			}
			dirs[d] = true
			if err := tw.WriteHeader(header(d+"/", tar.TypeDir, 0, t)); err != nil {
				return nil, fmt.Errorf("writing the layer's folder %q: %w", d, err)
			}
		}
		if err := tw.WriteHeader(header(name, tar.TypeReg, int64(len(f.data)), t)); err != nil {
			return nil, fmt.Errorf("writing the layer's header for %q: %w", f.path, err)
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, fmt.Errorf("writing %q into the layer: %w", f.path, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("closing the layer: %w", err)
	}
	return buf.Bytes(), nil
}

// header is a tar header owned by 0:0, mode 0755, modified at t.
func header(name string, typ byte, size int64, t time.Time) *tar.Header {
	return &tar.Header{
		Typeflag: typ,
		Name:     name,
		Size:     size,
		Mode:     0o755,
		ModTime:  t,
	}
}

// parents returns the folders above the slash-separated relative name,
// outermost first: "a/b/c" gives "a", "a/b".
func parents(name string) []string {
	var out []string
	for i, c := range name {
		if c == '/' {
			out = append(out, name[:i])
		}
	}
	return out
}

// newLayer is the gzip-compressed OCI layer of files (see layerTar).
func newLayer(files []file, t time.Time) (v1.Layer, error) {
	raw, err := layerTar(files, t)
	if err != nil {
		return nil, err
	}
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(raw)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, fmt.Errorf("making the layer: %w", err)
	}
	return l, nil
}
