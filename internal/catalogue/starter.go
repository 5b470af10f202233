package catalogue

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/wsbuild/wsbuild/templates"
	"go.yaml.in/yaml/v3"
)

// Check returns nil when name is a template of c, else an error that
// suggests the closest name and lists them all.
func (c *Catalogue) Check(name string) error {
	if _, ok := c.byName[name]; ok {
		return nil
	}
	return fmt.Errorf("unknown template %q%s; the templates are: %s (`wsbuild templates` lists their legs)",
		name, didYouMean(name, c.Names()), strings.Join(c.Names(), ", "))
}

// Starter returns a spec holding template name and the images it builds on
// (nothing else) in leg: the root image's base is leg.RootBase, its cuda: is
// false or the leg's version, and every tag gets a suffix naming the leg
// where it differs from the catalogue's own (such as "3.11-cuda12.4" or
// "3.11-ubuntu22.04"), so that the legs' images do not overwrite each other
// in a registry. push: and the comments are kept.
func (c *Catalogue) Starter(name string, leg Leg) ([]byte, error) {
	if err := c.Check(name); err != nil {
		return nil, err
	}
	// Edit a fresh tree, so c stays as parsed.
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(c.doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	fresh, err := Parse(c.file, buf.Bytes())
	if err != nil {
		return nil, err
	}
	chain, err := fresh.chain(name)
	if err != nil {
		return nil, err
	}
	root := chain[0]
	_, base := lookup(root.val, "base")
	if base == nil {
		return nil, fmt.Errorf("%s:%d: images.%s: the root of %s's chain has no base:", c.file, root.key.Line, root.name, name)
	}
	suffix := tagSuffix(base.Value, leg)
	setScalar(base, leg.RootBase, "!!str", 0)
	removeKey(root.val, "os") // the OS table knows leg.RootBase
	cuda := &yaml.Node{Kind: yaml.ScalarNode}
	if leg.Cuda == "" {
		setScalar(cuda, "false", "!!bool", 0)
	} else {
		setScalar(cuda, leg.Cuda, "!!str", yaml.DoubleQuotedStyle)
	}
	setKey(root.val, "cuda", cuda, "python", "base")
	keep := map[string]bool{}
	for _, img := range chain {
		keep[img.name] = true
		if suffix == "" {
			continue
		}
		if _, tag := lookup(img.val, "tag"); tag != nil {
			tag.Value += suffix
		} else {
			tag := &yaml.Node{}
			setScalar(tag, "latest"+suffix, "!!str", yaml.DoubleQuotedStyle)
			setKey(img.val, "tag", tag)
		}
	}
	docRoot := fresh.doc.Content[0]
	imagesKey, images := lookup(docRoot, "images")
	var kept []*yaml.Node
	for i := 0; i+1 < len(images.Content); i += 2 {
		if keep[images.Content[i].Value] {
			kept = append(kept, images.Content[i], images.Content[i+1])
		}
	}
	images.Content = kept
	head := header(name, leg, fresh.doc.HeadComment+docRoot.HeadComment+docRoot.Content[0].HeadComment)
	fresh.doc.HeadComment, docRoot.HeadComment, docRoot.Content[0].HeadComment = "", "", ""
	imagesKey.HeadComment = head
	// Bring images: first, so the header sits at the top of the file.
	if docRoot.Content[0] != imagesKey {
		removeKey(docRoot, "images")
		docRoot.Content = append([]*yaml.Node{imagesKey, images}, docRoot.Content...)
	}
	buf.Reset()
	enc = yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(fresh.doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// tagSuffix names leg in tags: "-" and the OS when the leg's OS is not the
// one the catalogue is written for (the OS of its root base), then "-cuda"
// and the version for a CUDA leg.
func tagSuffix(catalogueBase string, leg Leg) string {
	var s string
	if o := templates.OSOfBase(catalogueBase); o == nil || o.Name != leg.OS {
		s += "-" + leg.OS
	}
	if leg.Cuda != "" {
		s += "-cuda" + leg.Cuda
	}
	return s
}

// header is the starter's opening comment: what it is and how it was
// written, followed by the catalogue's own comment without its first
// paragraph (which describes the catalogue as a whole).
func header(name string, leg Leg, catalogueComment string) string {
	what := "CPU on " + leg.OS
	cuda := CPU
	if leg.Cuda != "" {
		what = "CUDA " + leg.Cuda + " on " + leg.OS
		cuda = leg.Cuda
	}
	lines := []string{
		fmt.Sprintf("# %s and the images it builds on, from wsbuild's stock catalogue.", name),
		fmt.Sprintf("# Leg: %s, built on %s.", what, leg.Base),
		fmt.Sprintf("# Written by: wsbuild init --template %s --os %s --cuda %s", name, leg.OS, cuda),
		"# `wsbuild templates` lists the other templates and legs.",
	}
	paras := strings.Split(strings.TrimSpace(catalogueComment), "\n#\n")
	if len(paras) > 1 {
		lines = append(lines, "#", strings.Join(paras[1:], "\n#\n"))
	}
	return strings.Join(lines, "\n")
}

// setScalar makes n the scalar value with tag and style.
func setScalar(n *yaml.Node, value, tag string, style yaml.Style) {
	*n = yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value, Style: style,
		HeadComment: n.HeadComment, LineComment: n.LineComment, FootComment: n.FootComment}
}

// setKey sets key to val in mapping m: in place when m has key, else right
// after the first of after that m has, else at the end.
func setKey(m *yaml.Node, key string, val *yaml.Node, after ...string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			val.LineComment = m.Content[i+1].LineComment
			m.Content[i+1] = val
			return
		}
	}
	k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}
	at := len(m.Content)
	for _, a := range after {
		if i := keyIndex(m, a); i >= 0 {
			at = i + 2
			break
		}
	}
	m.Content = append(m.Content[:at], append([]*yaml.Node{k, val}, m.Content[at:]...)...)
}

// removeKey deletes key from mapping m, if it is there.
func removeKey(m *yaml.Node, key string) {
	if i := keyIndex(m, key); i >= 0 {
		m.Content = append(m.Content[:i], m.Content[i+2:]...)
	}
}

func keyIndex(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i
		}
	}
	return -1
}
