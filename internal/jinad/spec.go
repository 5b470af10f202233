package jinad

import (
	"bytes"
	"fmt"
	"path"
	"strconv"

	"github.com/wsbuild/wsbuild/templates"
	"go.yaml.in/yaml/v3"
)

// Base is the base image of a spec made from a workspace.
const Base = "debian:bookworm"

// Where a spec made from a workspace is pushed, like the stock catalogue.
const (
	// PushRegistry is the registry, reached over plain HTTP.
	PushRegistry = "127.0.0.1:5000"
	// PushNamespace is the namespace in PushRegistry.
	PushNamespace = "wsbuild"
)

// SpecOptions says what a spec made from a workspace needs besides the
// workspace itself.
type SpecOptions struct {
	// Image is the image's name; ImageName of the folder's name, usually.
	Image string
	// Dir is the workspace folder relative to the spec's folder,
	// slash-separated: "." when the spec is written into the workspace.
	Dir string
	// Source names the workspace in the spec's opening comment.
	Source string
}

// DefaultPython is the Python of a spec whose .jinad names none: the
// python3 of Base.
func DefaultPython() string {
	if o := templates.OSOfBase(Base); o != nil && o.Python != "" {
		return o.Python
	}
	return "3.11"
}

// Spec returns a wsbuild spec with one image built from w: Base, the
// .jinad's Python (DefaultPython when it names none), build-essential for
// build = devel, requirements.txt when there is one, the ports, the run
// command (in exec form when it needs no shell) and a copy of every entry
// of w.Files into the user's working directory, plus a push: target like
// the stock catalogue's.
func (w *Workspace) Spec(o SpecOptions) ([]byte, error) {
	if o.Dir == "" {
		o.Dir = "."
	}
	c := w.Config
	python := c.Python
	if python == "" {
		python = DefaultPython()
	}
	img := mapping()
	add(img, "base", str(Base))
	add(img, "python", quoted(python))
	if c.Build == BuildDevel {
		add(img, "apt", flow(str("build-essential")))
	}
	if w.Requirements {
		add(img, "requirements", str(path.Join(o.Dir, RequirementsFile)))
	}
	if len(c.Ports) > 0 {
		ports := flow()
		for _, p := range c.Ports {
			ports.Content = append(ports.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(p)})
		}
		add(img, "ports", ports)
	}
	if c.Run != "" {
		argv, shell, err := Command(c.Run)
		if err != nil {
			return nil, fmt.Errorf("run: %w", err)
		}
		if shell {
			add(img, "run", str(c.Run))
		} else {
			run := flow()
			for _, a := range argv {
				run.Content = append(run.Content, str(a))
			}
			add(img, "run", run)
		}
	}
	if len(w.Files) > 0 {
		cp := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, f := range w.Files {
			entry := mapping()
			entry.Style = yaml.FlowStyle
			add(entry, "src", str(path.Join(o.Dir, f)))
			add(entry, "dst", str(f))
			cp.Content = append(cp.Content, entry)
		}
		add(img, "copy", cp)
	}
	images := mapping()
	add(images, o.Image, img)
	target := mapping()
	add(target, "registry", str(PushRegistry))
	add(target, "namespace", str(PushNamespace))
	add(target, "insecure", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
	root := mapping()
	add(root, "images", images)
	add(root, "push", &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{target}})
	root.Content[0].HeadComment = fmt.Sprintf(
		"# The workspace %s as a wsbuild image, written by `wsbuild init --from`\n"+
			"# from its %s. Copy sources are relative to this file's folder.", o.Source, FileName)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"} }

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func quoted(s string) *yaml.Node {
	n := str(s)
	n.Style = yaml.DoubleQuotedStyle
	return n
}

func flow(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle, Content: items}
}

func add(m *yaml.Node, key string, val *yaml.Node) {
	m.Content = append(m.Content, str(key), val)
}
