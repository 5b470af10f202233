package spec

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/wsbuild/wsbuild/internal/feature"
)

// OverrideFile is the Position.File of anything that came from a command-line
// override (--set); Position.Line is then the 1-based index of that override.
const OverrideFile = "--set"

// Error is one problem in a spec, located at the field it is about.
type Error struct {
	// Pos is where the problem was written.
	Pos Position
	// Path is the dotted field path, such as "images.pytorch.from"; empty for
	// problems that are about no field (YAML syntax errors).
	Path string
	// Msg says what is wrong.
	Msg string
}

// Error formats the problem as "file:line: path: msg".
func (e *Error) Error() string {
	if e.Path == "" {
		return e.Pos.String() + ": " + e.Msg
	}
	return e.Pos.String() + ": " + e.Path + ": " + e.Msg
}

// ErrorList is every problem found in a spec, sorted by line (the spec file's
// problems first, then those of each override file, then those of --set).
// Parse always returns its problems as an ErrorList; errors.As also finds the
// first *Error in it.
type ErrorList []*Error

// Error joins the problems, one per line.
func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap returns the problems, so errors.As can reach each *Error.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// sorted orders the list by file, in the order files lists them (files it
// does not list last), and by line, keeping the order problems were found in
// for equal lines.
func (l ErrorList) sorted(files []string) ErrorList {
	rank := func(file string) int {
		if i := slices.Index(files, file); i >= 0 {
			return i
		}
		return len(files)
	}
	sort.SliceStable(l, func(i, j int) bool {
		if ri, rj := rank(l[i].Pos.File), rank(l[j].Pos.File); ri != rj {
			return ri < rj
		}
		return l[i].Pos.Line < l[j].Pos.Line
	})
	return l
}

// unique drops every problem equal to one before it, so that a problem of
// an image with matrix axes is reported once, not once per variant.
func (l ErrorList) unique() ErrorList {
	seen := make(map[Error]bool, len(l))
	out := l[:0]
	for _, e := range l {
		if !seen[*e] {
			seen[*e] = true
			out = append(out, e)
		}
	}
	return out
}

// unknownMsg says that key is not one of known, suggesting the closest one.
func unknownMsg(what, key string, known []string) string {
	if s := closest(key, known); s != "" {
		return fmt.Sprintf("unknown %s %q (did you mean %q?)", what, key, s)
	}
	return fmt.Sprintf("unknown %s %q (known: %s)", what, key, strings.Join(known, ", "))
}

// closest returns the candidate closest to s by edit distance, if it is at most
// 2 edits away and shorter than s itself; otherwise "".
func closest(s string, candidates []string) string { return feature.Closest(s, candidates) }
