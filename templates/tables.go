package templates

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed os.yaml
var osYAML []byte

//go:embed cuda.yaml
var cudaYAML []byte

// OS is one operating system of the OS table (templates/os.yaml).
type OS struct {
	// Name is the table's key, such as "debian12".
	Name string `yaml:"-"`
	// Bases are the base references that are this OS.
	Bases []string `yaml:"bases"`
	// Python is the version of the OS's python3, major.minor.
	Python string `yaml:"python"`
	// Packages maps a feature's need (such as "sshd") to the OS's packages.
	Packages map[string][]string `yaml:"packages"`
}

// Leg is one row of the CUDA table (templates/cuda.yaml).
type Leg struct {
	// OS is the OS of the chain's CPU base, such as "ubuntu22.04".
	OS string `yaml:"os"`
	// Cuda is the CUDA major.minor version.
	Cuda string `yaml:"cuda"`
	// Cudnn is the cuDNN major version of the row.
	Cudnn string `yaml:"cudnn"`
	// Flavor is "runtime" or "devel".
	Flavor string `yaml:"flavor"`
	// Base is the image the leg is built on.
	Base string `yaml:"base"`
}

// CudaTable is templates/cuda.yaml.
type CudaTable struct {
	// PytorchIndex is the PyTorch wheel index; a leg's index is PytorchIndex/cpu or /cu124.
	PytorchIndex string `yaml:"pytorchIndex"`
	// PytorchPackages are the packages pip takes from the leg's PyTorch index.
	PytorchPackages []string `yaml:"pytorchPackages"`
	// CudaExtras maps a package to the extra it gets on CUDA legs.
	CudaExtras map[string]string `yaml:"cudaExtras"`
	// Legs lists the known CUDA legs.
	Legs []Leg `yaml:"legs"`
}

type tables struct {
	os   map[string]*OS
	cuda *CudaTable
	err  error
}

var loaded = sync.OnceValue(func() *tables {
	t := &tables{}
	if err := decodeStrict(osYAML, &t.os); err != nil {
		t.err = fmt.Errorf("templates/os.yaml: %w", err)
		return t
	}
	for name, o := range t.os {
		o.Name = name
	}
	if err := decodeStrict(cudaYAML, &t.cuda); err != nil {
		t.err = fmt.Errorf("templates/cuda.yaml: %w", err)
	}
	return t
})

func decodeStrict(data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	return dec.Decode(v)
}

// Check reports whether the embedded tables decode; everything else here
// treats a broken table as unknown entries.
func Check() error { return loaded().err }

// OSNames lists the OS table's keys, sorted.
func OSNames() []string {
	var out []string
	for n := range loaded().os {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// LookupOS returns the OS called name, or nil.
func LookupOS(name string) *OS { return loaded().os[name] }

// OSOfBase returns the OS whose bases list ref, or nil. ref is compared
// without its digest and without a registry host ("docker.io/",
// "127.0.0.1:5000/") or "library/" in front; a ref the table does not list
// as such is known by its last path component, so "registry/team/debian:12"
// (a mirror of the official image) is Debian 12 too.
func OSOfBase(ref string) *OS {
	ref, _, _ = strings.Cut(ref, "@")
	if first, rest, ok := strings.Cut(ref, "/"); ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		ref = rest
	}
	ref = strings.TrimPrefix(ref, "library/")
	last := ref[strings.LastIndex(ref, "/")+1:]
	var byLast *OS
	for _, name := range OSNames() {
		o := loaded().os[name]
		if slices.Contains(o.Bases, ref) {
			return o
		}
		if byLast == nil && slices.Contains(o.Bases, last) {
			byLast = o
		}
	}
	return byLast
}

// Cuda returns the CUDA table.
func Cuda() *CudaTable {
	if c := loaded().cuda; c != nil {
		return c
	}
	return &CudaTable{}
}

// FindLeg returns the row for os, cuda version, cudnn ("" for the newest the
// table has) and flavor, or an error listing what the table does have.
func (c *CudaTable) FindLeg(os, cuda, cudnn, flavor string) (Leg, error) {
	var have []string
	var best *Leg
	for i, l := range c.Legs {
		if l.OS != os {
			continue
		}
		have = append(have, fmt.Sprintf("%s cudnn %s %s", l.Cuda, l.Cudnn, l.Flavor))
		if l.Cuda == cuda && l.Flavor == flavor && (cudnn == "" || l.Cudnn == cudnn) {
			if best == nil || l.Cudnn > best.Cudnn {
				best = &c.Legs[i]
			}
		}
	}
	if best != nil {
		return *best, nil
	}
	if len(have) == 0 {
		return Leg{}, fmt.Errorf("the CUDA table has no legs for %s", os)
	}
	want := cuda + " " + flavor
	if cudnn != "" {
		want = fmt.Sprintf("%s cudnn %s %s", cuda, cudnn, flavor)
	}
	return Leg{}, fmt.Errorf("the CUDA table has no %s leg for %s (it has: %s)", want, os, strings.Join(have, "; "))
}

// PytorchTag is the PyTorch index folder of a leg: "cpu" for "" and
// "cu124" for "12.4".
func PytorchTag(cuda string) string {
	if cuda == "" {
		return "cpu"
	}
	return "cu" + strings.ReplaceAll(cuda, ".", "")
}

// UVImage is the image uv is copied from for `python: {via: uv}`.
const UVImage = "ghcr.io/astral-sh/uv:0.5.11"
