// Package feature is the registry of workstation features. A feature (a
// desktop over VNC, sshd, Jupyter, R, build steps…) is one part, declared in
// one file of this package with its assets under templates/files: how its
// spec key decodes and validates (the struct tags of its settings), what it
// checks once the chain is known, and what it adds to an image: OS packages,
// pip packages, files, programs, environment, ports, build steps, checks
// inside the build and the services its start check proves.
//
// The spec decoder, the planner, the input digest, the compiler, the JSON
// Schema and --metadata-file all go through All, so a feature's settings
// reach every one of them without anyone naming the feature there.
package feature

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
)

// Settings is a pointer to a feature's settings struct (or slice, for a
// feature written as a list), as Feature.New returns it.
type Settings any

// Problem is a mistake in a feature's settings, about one of its fields.
type Problem struct {
	// Field is the path below the feature's key, such as "start_url" or
	// "0.run"; "" for the feature as a whole.
	Field string
	// Msg says what is wrong.
	Msg string
}

// Problemf makes a Problem.
func Problemf(field, format string, args ...any) Problem {
	return Problem{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Feature is one registered workstation feature.
type Feature interface {
	// Key is the image field that sets the feature, such as "desktop".
	Key() string
	// Doc says in one line what the feature adds.
	Doc() string
	// PerImage is true for a feature each image sets for itself (build
	// steps), false for one that enters a chain once and is inherited.
	PerImage() bool
	// ChainStart is true for a feature only the image with base may set
	// (the CUDA leg): it decides what the chain starts from.
	ChainStart() bool
	// New returns a pointer to zero settings for the decoder to fill.
	New() Settings
	// Validate checks decoded settings on their own.
	Validate(s Settings) []Problem
	// Plan checks settings, defaults filled in, against the image they are
	// on (its Python, its other features).
	Plan(img *Image, s Settings) []Problem
	// Contribute adds what the feature puts into img to c.
	Contribute(img *Image, s Settings, c *Contribution)
}

// Def declares a feature whose settings are of type S; Register turns it
// into a Feature. Only Key, Doc and Order are required.
type Def[S any] struct {
	// Key is the image field that sets the feature.
	Key string
	// Doc says in one line what the feature adds.
	Doc string
	// Order places the feature among the others: packages, environment,
	// files, programs and checks are added in this order.
	Order int
	// PerImage marks a feature each image sets for itself.
	PerImage bool
	// ChainStart marks a feature only the image with base may set.
	ChainStart bool
	// Validate checks decoded settings; nil accepts them.
	Validate func(s *S) []Problem
	// Plan checks settings against the image; nil accepts them.
	Plan func(img *Image, s *S) []Problem
	// Contribute adds what the feature puts into an image; nil adds nothing.
	Contribute func(img *Image, s *S, c *Contribution)
}

type def[S any] struct{ Def[S] }

func (d def[S]) Key() string      { return d.Def.Key }
func (d def[S]) Doc() string      { return d.Def.Doc }
func (d def[S]) PerImage() bool   { return d.Def.PerImage }
func (d def[S]) ChainStart() bool { return d.Def.ChainStart }
func (d def[S]) New() Settings    { return new(S) }

func (d def[S]) Validate(s Settings) []Problem {
	if d.Def.Validate == nil {
		return nil
	}
	return d.Def.Validate(s.(*S))
}

func (d def[S]) Plan(img *Image, s Settings) []Problem {
	if d.Def.Plan == nil {
		return nil
	}
	return d.Def.Plan(img, s.(*S))
}

func (d def[S]) Contribute(img *Image, s Settings, c *Contribution) {
	if d.Def.Contribute != nil {
		d.Def.Contribute(img, s.(*S), c)
	}
}

type registered struct {
	order int
	f     Feature
}

var registry []registered

// Register adds a feature to the registry and returns it. It panics on a
// key registered twice or settings the decoder cannot handle: both are
// programming mistakes, found by any test.
func Register[S any](d Def[S]) Feature {
	if d.Key == "" || d.Doc == "" {
		panic("feature: Register needs a Key and a Doc")
	}
	if _, ok := Lookup(d.Key); ok {
		panic(fmt.Sprintf("feature: %q registered twice", d.Key))
	}
	if err := checkType(reflect.TypeFor[S]()); err != nil {
		panic(fmt.Sprintf("feature %q: %v", d.Key, err))
	}
	f := def[S]{d}
	registry = append(registry, registered{d.Order, f})
	sort.SliceStable(registry, func(i, j int) bool { return registry[i].order < registry[j].order })
	return f
}

// All lists the registered features in their order.
func All() []Feature {
	out := make([]Feature, len(registry))
	for i, r := range registry {
		out[i] = r.f
	}
	return out
}

// Keys lists the registered features' keys in their order.
func Keys() []string {
	var out []string
	for _, r := range registry {
		out = append(out, r.f.Key())
	}
	return out
}

// Lookup returns the feature set by key.
func Lookup(key string) (Feature, bool) {
	i := slices.IndexFunc(registry, func(r registered) bool { return r.f.Key() == key })
	if i < 0 {
		return nil, false
	}
	return registry[i].f, true
}
