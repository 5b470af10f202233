package frontend

import (
	"errors"
	"regexp"
	"strconv"

	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"
	"github.com/wsbuild/wsbuild/internal/spec"
)

// specLines returns the lines of the spec file that err is about: those of
// a spec.ErrorList, or the FILE:LINE: that starts a planner's error.
func specLines(err error, file string) []int {
	var list spec.ErrorList
	if errors.As(err, &list) {
		var out []int
		for _, e := range list {
			if e.Pos.File == file && e.Pos.Line > 0 {
				out = append(out, e.Pos.Line)
			}
		}
		return out
	}
	m := regexp.MustCompile(`^` + regexp.QuoteMeta(file) + `:(\d+): `).FindStringSubmatch(err.Error())
	if m == nil {
		return nil
	}
	n, _ := strconv.Atoi(m[1])
	return []int{n}
}

// sourceInfo is the spec as BuildKit's source maps carry it.
func sourceInfo(src *dockerui.Source) *pb.SourceInfo {
	return &pb.SourceInfo{Data: src.Data, Filename: src.Filename, Language: src.Language, Definition: src.Definition.ToPB()}
}

// lineRange is line of the spec as a source-map range.
func lineRange(line int) *pb.Range {
	return &pb.Range{Start: &pb.Position{Line: int32(line)}, End: &pb.Position{Line: int32(line)}}
}

// located attaches the spec lines err is about to err, so that buildctl
// and buildx print the offending lines of the spec, as they do for a
// Dockerfile.
func located(err error, src *dockerui.Source) error {
	lines := specLines(err, src.Filename)
	if err == nil || len(lines) == 0 || src.SourceMap == nil {
		return err
	}
	s := &errdefs.Source{Info: sourceInfo(src)}
	for _, l := range lines {
		s.Ranges = append(s.Ranges, lineRange(l))
	}
	return errdefs.WithSource(err, s)
}
