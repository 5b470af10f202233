package localfs

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

func TestReadFileLimit(t *testing.T) {
	fsys := fstest.MapFS{
		"ok.txt":  {Data: []byte(strings.Repeat("a", MaxFileBytes))},
		"big.txt": {Data: []byte(strings.Repeat("a", MaxFileBytes+1))},
	}
	if b, err := ReadFile(fsys, "ok.txt"); err != nil || len(b) != MaxFileBytes {
		t.Errorf("a file of exactly the limit: %d bytes, %v", len(b), err)
	}
	var tl *TooLargeError
	if _, err := ReadFile(fsys, "big.txt"); !errors.As(err, &tl) || tl.Name != "big.txt" {
		t.Errorf("a file over the limit: %v", err)
	}
	// A file that never ends is refused after the limit, not read forever.
	if _, err := ReadHostFile("/dev/zero"); !errors.As(err, &tl) {
		t.Errorf("/dev/zero: %v", err)
	}
}
