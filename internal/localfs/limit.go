package localfs

import (
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MaxFileBytes is the most wsbuild reads of a file a spec names or that
// sits beside it (a requirements file, the lock file, a .jinad): 1 MiB. A
// larger one is refused before it is read further, so a file that never
// ends (/dev/zero) costs nothing.
const MaxFileBytes = 1 << 20

// TooLargeError is a file over MaxFileBytes.
type TooLargeError struct {
	// Name is the file's name as it was asked for.
	Name string
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %d bytes (1 MiB), the most wsbuild reads of it", e.Name, MaxFileBytes)
}

// ReadFile reads the file name of fsys, refusing one over MaxFileBytes.
func ReadFile(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAtMost(f, name)
}

// ReadHostFile reads the file at path, refusing one over MaxFileBytes.
func ReadHostFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAtMost(f, path)
}

func readAtMost(r io.Reader, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, &TooLargeError{Name: name}
	}
	return data, nil
}
