package spec

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Parse decodes and validates the spec in data, read from file (used only in
// positions). It is pure: files named by requirements: are read from the
// folder given by WithFS. Images with matrix axes are expanded into their
// variants (see Image). Every problem found is returned together as an
// ErrorList of *Error values: the spec's first, then those of each override
// file in the order they were applied, then those of --set, each by line.
func Parse(file string, data []byte, opts ...Option) (*Family, error) {
	var o options
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if e := tooLong(file, "the spec", data, MaxSpecBytes); e != nil {
		return nil, ErrorList{e}
	}
	if o.maxImages == 0 {
		o.maxImages = DefaultMaxImages
	}
	d := &decoder{file: file, fsys: o.fsys, origin: map[*yaml.Node]Position{}, fixed: map[*yaml.Node]bool{}, pos: map[string]Position{},
		maxImages: o.maxImages, nodes: int64(o.maxImages) * NodesPerImage}
	overrides := append(append(slices.Clip(o.list), setOverrides(o.sets)...), o.push...)
	files := []string{file}
	for _, ov := range overrides {
		if !slices.Contains(files, ov.Pos.File) {
			files = append(files, ov.Pos.File)
		}
	}
	root := d.document(data)
	if root == nil {
		return nil, d.errs.sorted(files)
	}
	d.applyOverrides(root, overrides)
	fam := d.family(root)
	if len(d.errs) > 0 {
		return nil, d.errs.unique().sorted(files)
	}
	return fam, nil
}

// yamlErrRE takes the line out of a syntax error's message. go.yaml.in/yaml/v3
// (v3.0.5) returns syntax errors as plain fmt.Errorf values formatted
// "yaml: line N: problem" (N omitted when it has no position); it exports no
// error type with a line (its TypeError is for decoding into Go values, and
// carries only strings), so the message is all there is to read.
var yamlErrRE = regexp.MustCompile(`^yaml: line ([0-9]+): (.*)$`)

// syntaxError turns a YAML syntax error into an *Error carrying its line, or
// line 1 when the library gave none.
// A problem the library reports at the line of what it was parsing, not at
// the line of the problem, is refined with problemLine.
func (d *decoder) syntaxError(data []byte, err error) {
	pos := Position{File: d.file, Line: 1}
	msg := err.Error()
	if m := yamlErrRE.FindStringSubmatch(msg); m != nil {
		pos.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if strings.HasPrefix(msg, "did not find expected ") {
			pos.Line = problemLine(data, pos.Line, msg)
		}
	} else if len(msg) > 6 && msg[:6] == "yaml: " {
		msg = msg[6:]
	}
	d.errorf(pos, "", "invalid YAML: %s", msg)
}

// document parses data as exactly one YAML document and returns its root
// mapping (an empty one for an empty file), or nil after reporting a problem.
func (d *decoder) document(data []byte) *yaml.Node {
	if !d.checkUTF8(data) {
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		d.syntaxError(data, err)
		return nil
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		d.errorf(Position{File: d.file, Line: extra.Line}, "", "a spec is one YAML document, found a second one")
		return nil
	case !errors.Is(err, io.EOF):
		d.syntaxError(data, err)
		return nil
	}
	if len(doc.Content) > 0 && !d.checkAliases(doc.Content[0], "") {
		return nil
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: 1, Column: 1}
	}
	root := resolve(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		d.errorf(d.at(root), "", "expected a mapping with images: and push:, got %s", describe(root))
		return nil
	}
	return root
}

// family decodes the root mapping and checks what spans images.
func (d *decoder) family(root *yaml.Node) *Family {
	fam := &Family{File: d.file, Images: map[string]*Image{}, Pos: d.pos}
	top := field{path: "", val: root, pos: d.at(root)}
	var images *field
	var matrix *matrixDecl
	for _, f := range d.mapping(top, "a mapping", []string{"images", "push", "matrix", "source_date_epoch", "compression", "cache", "secrets"}) {
		switch f.name {
		case "images":
			images = &f
		case "push":
			fam.Push = d.push(f)
		case "matrix":
			matrix = d.matrix(f, "the family matrix")
		case "source_date_epoch":
			fam.SourceDateEpoch = d.sourceDateEpoch(f)
		case "compression":
			fam.Compression = d.compression(f)
		case "cache":
			fam.Cache = d.cache(f)
		case "secrets":
			fam.Secrets = d.secrets(f)
		}
	}
	if images == nil {
		d.errorf(top.pos, "images", "missing: a spec declares its images under images:")
		return fam
	}
	if isNull(images.val) || (images.val.Kind == yaml.MappingNode && len(images.val.Content) == 0) {
		d.fail(*images, "no images declared")
		return fam
	}
	if !d.checkDeclared(*images) {
		return fam
	}
	var decls []*decl
	prev := ""
	for _, f := range d.mapping(*images, "a mapping of image names to images", nil) {
		if d.misplacedField(f, prev) {
			continue
		}
		decls = append(decls, d.declare(f))
		prev = f.name
	}
	d.expand(fam, matrix, decls)
	d.checkFrom(fam, decls)
	d.checkRefLengths(fam, decls)
	d.checkSecretRefs(fam)
	d.checkAptSourceNames(fam)
	return fam
}

// push decodes push: a list of {registry, namespace, insecure}.
func (d *decoder) push(f field) []PushTarget {
	items := d.list(f, "a list of {registry, namespace} mappings")
	var out []PushTarget
	seen := map[PushTarget]Position{}
	for _, it := range items {
		var t PushTarget
		has := map[string]bool{}
		for _, c := range d.mapping(it, "a {registry, namespace, insecure} mapping", []string{"registry", "namespace", "insecure"}) {
			has[c.name] = !isNull(c.val)
			switch c.name {
			case "registry":
				t.Registry = d.str(c, checkRegistry)
			case "namespace":
				t.Namespace = d.str(c, checkNamespace)
			case "insecure":
				t.Insecure = d.boolean(c)
			}
		}
		if it.val.Kind != yaml.MappingNode {
			if isNull(it.val) {
				d.fail(it, "expected a {registry, namespace, insecure} mapping, got null")
			}
			continue
		}
		if !has["registry"] {
			d.fail(it, "missing registry")
		}
		if !has["namespace"] {
			d.fail(it, "missing namespace")
		}
		key := PushTarget{Registry: t.Registry, Namespace: t.Namespace}
		if first, dup := seen[key]; dup && has["registry"] && has["namespace"] {
			d.fail(it, "duplicate push target %s/%s (first at %s)", t.Registry, t.Namespace, first)
		} else if !dup {
			seen[key] = it.pos
		}
		out = append(out, t)
	}
	return out
}
