package frontend

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/subrequests/lint"
	"github.com/moby/buildkit/frontend/subrequests/outline"
	"github.com/moby/buildkit/frontend/subrequests/targets"
	"github.com/moby/buildkit/solver/pb"
	"github.com/wsbuild/wsbuild/internal/feature"
	"github.com/wsbuild/wsbuild/internal/spec"
)

// handlers answers BuildKit's subrequests (buildx --call targets, outline
// and check) about the spec src decoded to fam, or failed with parseErr.
func handlers(src *dockerui.Source, fam *spec.Family, parseErr error, target string) dockerui.RequestHandler {
	return dockerui.RequestHandler{
		ListTargets: func(context.Context) (*targets.List, error) {
			if parseErr != nil {
				return nil, located(parseErr, src)
			}
			return listTargets(fam, src), nil
		},
		Outline: func(context.Context) (*outline.Outline, error) {
			if parseErr != nil {
				return nil, located(parseErr, src)
			}
			name, err := pickTarget(fam, target)
			if err != nil {
				return nil, err
			}
			return outlineOf(fam, name, src), nil
		},
		Lint: func(context.Context) (*lint.LintResults, error) {
			return lintResults(src, parseErr), nil
		},
	}
}

// location is line of the spec as a subrequest location.
func location(line int) *pb.Location {
	if line <= 0 {
		return nil
	}
	return &pb.Location{SourceIndex: 0, Ranges: []*pb.Range{lineRange(line)}}
}

// listTargets lists every image of fam, the only leaf marked the default,
// each with its parent (or external base) and where the spec declares it.
func listTargets(fam *spec.Family, src *dockerui.Source) *targets.List {
	l := &targets.List{Sources: [][]byte{src.Data}}
	def := leaves(fam)
	for _, name := range fam.Names {
		img := fam.Images[name]
		base := img.Base
		if img.From != "" {
			base = img.From
		}
		l.Targets = append(l.Targets, targets.Target{
			Name: name, Default: len(def) == 1 && def[0] == name, Base: base,
			Description: describeImage(img),
			Location:    location(fam.At("images." + img.Repository).Line),
		})
	}
	return l
}

// describeImage says in one line what an image adds: its features, its
// packages and its axes.
func describeImage(img *spec.Image) string {
	var parts []string
	for _, k := range feature.Keys() {
		if _, ok := img.Features[k]; ok {
			parts = append(parts, k)
		}
	}
	if len(img.Apt) > 0 {
		parts = append(parts, "apt: "+strings.Join(img.Apt, " "))
	}
	if len(img.Pip) > 0 {
		parts = append(parts, "pip: "+strings.Join(img.Pip, " "))
	}
	for _, a := range img.Axes {
		parts = append(parts, a.Name+"="+a.Value)
	}
	return strings.Join(parts, "; ")
}

// outlineOf lists the options target takes: the matrix axes it has, as
// build args, and the image it builds on.
func outlineOf(fam *spec.Family, target string, src *dockerui.Source) *outline.Outline {
	img := fam.Images[target]
	o := &outline.Outline{Name: target, Description: describeImage(img), Sources: [][]byte{src.Data}}
	for _, a := range img.Axes {
		o.Args = append(o.Args, outline.Arg{Name: a.Name, Value: a.Value,
			Description: fmt.Sprintf("matrix axis %s (build-arg:%s=VALUE picks the variant)", a.Name, a.Name)})
	}
	for p := img; p != nil; p = fam.Images[p.From] {
		o.Args = append(o.Args, outline.Arg{Name: p.Repository + ".tag", Value: tagOf(p),
			Description: fmt.Sprintf("the tag of %s (any IMAGE.FIELD=VALUE build arg overrides the spec as --set does)", p.Name),
			Location:    location(fam.At("images." + p.Repository).Line)})
		if p.From == "" {
			break
		}
	}
	return o
}

func tagOf(img *spec.Image) string {
	if img.Tag == "" {
		return spec.DefaultTag
	}
	return img.Tag
}

// lintResults reports every problem of the spec as a warning at its line
// (buildx --call check prints them and fails when there is one).
func lintResults(src *dockerui.Source, parseErr error) *lint.LintResults {
	r := &lint.LintResults{}
	r.AddSource(src.SourceMap)
	if parseErr == nil {
		return r
	}
	var list spec.ErrorList
	if !errors.As(parseErr, &list) {
		r.Warnings = append(r.Warnings, lint.Warning{RuleName: "InvalidSpec", Description: "the spec does not validate",
			Detail: parseErr.Error(), Location: locationOr(specLines(parseErr, src.Filename))})
		return r
	}
	for _, e := range list {
		line := 0
		if e.Pos.File == src.Filename {
			line = e.Pos.Line
		}
		detail := e.Msg
		if e.Path != "" {
			detail = e.Path + ": " + e.Msg
		}
		r.Warnings = append(r.Warnings, lint.Warning{RuleName: "InvalidSpec", Description: "the spec does not validate",
			Detail: detail, Location: locationOr([]int{line})})
	}
	return r
}

// locationOr is the first of lines as a location, or one that names no
// line (SourceIndex -1), which lint prints without a source.
func locationOr(lines []int) *pb.Location {
	if len(lines) > 0 && lines[0] > 0 {
		return location(lines[0])
	}
	return &pb.Location{SourceIndex: -1}
}
