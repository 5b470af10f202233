package feature

import "fmt"

// BuildStep is one item of the steps: feature: a shell command run at build
// time, after the image's packages and files.
type BuildStep struct {
	Name    string   `json:"name,omitempty" check:"name" doc:"shown in progress and in errors; default: step N"`
	Run     string   `json:"run,omitempty" check:"command" scalar:"true" required:"true" doc:"the shell command, run by /bin/sh -c with set -eu"`
	User    string   `json:"user,omitempty" check:"oneof=user root" default:"user" doc:"run as the image's account (user) or as root"`
	Workdir string   `json:"workdir,omitempty" check:"abspath" doc:"the working directory; default: the user's home"`
	Cache   []string `json:"cache,omitempty" check:"abspath" doc:"folders kept between builds on cache mounts (downloads, package caches)"`
	Secrets []string `json:"secrets,omitempty" check:"secretid" doc:"ids of secrets: mounted for this step only, each at /run/secrets/ID, readable by the step's account"`
}

// Steps is the steps: feature: the build steps of one image, in order.
type Steps []BuildStep

var _ = Register(Def[Steps]{
	Key:      "steps",
	Doc:      "shell commands run at build time, in order, as the user or as root",
	Order:    90,
	PerImage: true,
	Contribute: func(img *Image, steps *Steps, c *Contribution) {
		for i, s := range *steps {
			name := s.Name
			if name == "" {
				name = fmt.Sprintf("step %d", i+1)
			}
			c.Steps = append(c.Steps, Step{Name: "step: " + name, Script: s.Run, Root: s.User == "root", Workdir: s.Workdir, Caches: s.Cache, Secrets: s.Secrets})
		}
	},
})

// SecretRefs returns the secret ids the steps ask for, by their field
// below steps: ("0.secrets.1").
func (s Steps) SecretRefs() map[string]string {
	out := map[string]string{}
	for i, st := range s {
		for j, id := range st.Secrets {
			out[fmt.Sprintf("%d.secrets.%d", i, j)] = id
		}
	}
	return out
}

// SecretUser is a feature's settings that ask for build secrets.
type SecretUser interface {
	// SecretRefs returns the secret ids asked for, by the field below the
	// feature's key that names each.
	SecretRefs() map[string]string
}
