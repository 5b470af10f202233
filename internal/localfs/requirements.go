package localfs

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// MaxRequirementsFiles bounds how many files a requirements file may pull
// in with -r and -c, itself included.
const MaxRequirementsFiles = 100

// Entry is one path the build context sends for a requirements file: a
// link (Link is its target) or a file (Data is its content).
type Entry struct {
	// Path is where the entry lies in the folder.
	Path string
	// Link is the target of a link; empty for a file.
	Link string
	// Data is the content of a file.
	Data []byte
}

// Requirements reads the requirements file p and every file it includes
// with -r/--requirement or -c/--constraint, named relative to the file that
// includes it as pip does, all resolved inside the folder (see Resolve).
// It returns the links and files the build must receive for pip to read p
// as written, p's own file first after its links; a file met twice is read
// once. An include that is absolute or leaves the folder is an error naming
// the including file and line; URLs are left to pip.
func Requirements(fsys fs.FS, p string) ([]Entry, error) {
	r := &reqReader{fsys: fsys, seen: map[string]bool{}}
	if err := r.read(p); err != nil {
		return nil, err
	}
	return r.out, nil
}

type reqReader struct {
	fsys  fs.FS
	seen  map[string]bool
	out   []Entry
	files int
}

func (r *reqReader) read(p string) error {
	res, err := Resolve(r.fsys, p)
	if err != nil {
		return err
	}
	for _, l := range res.Links {
		if !r.seen[l] {
			r.seen[l] = true
			target, err := fs.ReadLink(r.fsys, l)
			if err != nil {
				return err
			}
			r.out = append(r.out, Entry{Path: l, Link: target})
		}
	}
	if r.seen[res.Path] {
		return nil
	}
	r.seen[res.Path] = true
	if r.files++; r.files > MaxRequirementsFiles {
		return fmt.Errorf("more than %d requirements files are included", MaxRequirementsFiles)
	}
	data, err := ReadFile(r.fsys, res.Path)
	if err != nil {
		return err
	}
	r.out = append(r.out, Entry{Path: res.Path, Data: data})
	for _, inc := range includes(data) {
		switch {
		case strings.Contains(inc.path, "://"):
			continue
		case path.IsAbs(inc.path):
			return fmt.Errorf("%s line %d: %s %q is an absolute path: name a file inside the spec's folder, relative to %s",
				p, inc.line, inc.opt, inc.path, p)
		}
		// Not cleaned: ".." after a link goes up from where it led, as for pip.
		next := inc.path
		if dir := path.Dir(p); dir != "." {
			next = dir + "/" + next
		}
		if err := r.read(next); err != nil {
			return fmt.Errorf("%s line %d: %s %q: %w", p, inc.line, inc.opt, inc.path, err)
		}
	}
	return nil
}

type include struct {
	opt, path string
	line      int
}

// includes finds the -r and -c options of a requirements file, after
// joining lines ending in a backslash and dropping comments, as pip does.
func includes(data []byte) []include {
	var out []include
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	var logical strings.Builder
	n, start := 0, 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if logical.Len() == 0 {
			start = n
		}
		if s, ok := strings.CutSuffix(line, `\`); ok {
			logical.WriteString(s)
			continue
		}
		logical.WriteString(line)
		out = append(out, lineIncludes(logical.String(), start)...)
		logical.Reset()
	}
	if logical.Len() > 0 {
		out = append(out, lineIncludes(logical.String(), start)...)
	}
	return out
}

func lineIncludes(line string, n int) []include {
	fields := strings.Fields(line)
	if len(fields) == 0 || !strings.HasPrefix(fields[0], "-") {
		return nil
	}
	var out []include
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if strings.HasPrefix(f, "#") {
			break
		}
		for _, o := range []struct{ short, long string }{{"-r", "--requirement"}, {"-c", "--constraint"}} {
			var val string
			switch {
			case f == o.short || f == o.long:
				if i+1 < len(fields) {
					i++
					val = fields[i]
				}
			case strings.HasPrefix(f, o.long+"="):
				val = f[len(o.long)+1:]
			case strings.HasPrefix(f, o.short) && !strings.HasPrefix(f, "--"):
				val = f[len(o.short):]
			default:
				continue
			}
			if val != "" {
				out = append(out, include{opt: o.short, path: val, line: n})
			}
		}
	}
	return out
}
