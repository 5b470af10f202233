// Package templates holds the assets wsbuild compiles into images and the
// version of those assets. Version is part of every image's input digest:
// any change to what the compiler emits for a given spec must change it, so
// that every image is marked as changed.
package templates

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
)

// FormatVersion is the compiler's output format. Bump it when the Go code of
// the compiler changes what it emits; a change to an embedded asset (a file
// under files/, the OS or CUDA table) changes Version by itself.
const FormatVersion = "wsbuild-templates/2"

// Version identifies the compiler's output: FormatVersion and a digest of
// every embedded asset and table.
var Version = FormatVersion + "+" + assetsDigest()

// assetsDigest digests the paths and contents of everything under files/
// and the OS and CUDA tables, in a fixed order.
func assetsDigest() string {
	h := sha256.New()
	err := fs.WalkDir(Files, "files", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Files, p)
		if err != nil {
			return err
		}
		h.Write([]byte(p + "\x00"))
		h.Write(b)
		h.Write([]byte{0})
		return nil
	})
	if err != nil {
		// The assets are embedded: reading them cannot fail.
		panic(err)
	}
	h.Write(osYAML)
	h.Write(cudaYAML)
	return hex.EncodeToString(h.Sum(nil))[:16]
}
