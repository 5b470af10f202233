package spec

import (
	"fmt"
	"strings"
)

// defaultTemplate is the tag template of an image with axes whose matrix
// names none: {version}, then -py{python}, -{cuda} and -{axis} for each other
// axis, for the axes the image has, in the order declared.
func defaultTemplate(axes []*axisDecl) string {
	var b strings.Builder
	b.WriteString("{" + versionPlaceholder + "}")
	if findAxis(axes, "python") != nil {
		b.WriteString("-py{python}")
	}
	if findAxis(axes, "cuda") != nil {
		b.WriteString("-{cuda}")
	}
	for _, a := range axes {
		if a.name != "python" && a.name != "cuda" {
			b.WriteString("-{" + a.name + "}")
		}
	}
	return b.String()
}

// renderTag renders dc's tag template for combination c; version is the
// image's own tag:. An unknown placeholder or an invalid result is reported
// when report is set; ok is false then.
func (d *decoder) renderTag(dc *decl, c []value, version string, report bool) (string, bool) {
	if version == "" {
		version = DefaultTag
	}
	if _, err := checkTag(version); err != nil {
		return "", false // reported where tag: is written
	}
	text := defaultTemplate(dc.axes)
	if dc.tag != nil {
		text = dc.tag.text
	}
	pos, path := dc.tagAt()
	vals := make(map[string]string, len(c)+1)
	vals[versionPlaceholder] = version
	for i, a := range dc.axes {
		vals[a.name] = renderValue(a.name, c[i].text)
	}
	for _, m := range placeholderRE.FindAllStringSubmatch(text, -1) {
		if _, ok := vals[m[1]]; !ok {
			d.errorf(pos, path, "unknown placeholder {%s} in the tag template of image %q: use {version} or one of its axes (%s)", m[1], dc.name, axisNames(dc.axes))
			return "", false
		}
	}
	tag := substitute(text, func(name string) (string, bool) { v, ok := vals[name]; return v, ok })
	if _, err := checkTag(tag); err != nil {
		if report {
			d.errorf(pos, path, "variant %s of image %q: %v", describeCombo(dc.axes, c), dc.name, err)
		}
		return "", false
	}
	return tag, true
}

// renderValue writes an axis value the way tags show it: a cuda value as
// "cpu" (false) or "cuda12.4", anything else as written.
func renderValue(axis, v string) string {
	if axis != "cuda" {
		return v
	}
	if v == "false" {
		return "cpu"
	}
	return fmt.Sprintf("cuda%s", v)
}
