package main

import (
	"encoding/json"
	"io"
	"path/filepath"
	"regexp"
)

// bakeFile is a `docker buildx bake` file in its JSON form.
type bakeFile struct {
	Group  map[string]bakeGroup  `json:"group"`
	Target map[string]bakeTarget `json:"target"`
}

type bakeGroup struct {
	Targets []string `json:"targets"`
}

// bakeTarget builds one image of the family with the wsbuild frontend
// (named by the spec's # syntax= line).
type bakeTarget struct {
	Context    string            `json:"context"`
	Dockerfile string            `json:"dockerfile"`
	Target     string            `json:"target"`
	Contexts   map[string]string `json:"contexts,omitempty"`
	Tags       []string          `json:"tags,omitempty"`
}

// bakeNameRE matches what a bake target's name may not hold.
var bakeNameRE = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// bakeName is image's name as a bake target ("pytorch:2.3-py3.11-cpu" is
// "pytorch-2-3-py3-11-cpu").
func bakeName(image string) string { return bakeNameRE.ReplaceAllString(image, "-") }

// writeBake writes a bake file building every entry with the frontend:
// each image a target of the spec at specFile with the spec's tags, built on
// its parent's target through a named context, all in the default group.
func writeBake(w io.Writer, specFile string, entries []planEntry) error {
	f := bakeFile{Group: map[string]bakeGroup{"default": {}}, Target: map[string]bakeTarget{}}
	var all []string
	for _, e := range entries {
		t := bakeTarget{Context: filepath.Dir(specFile), Dockerfile: filepath.Base(specFile), Target: e.Name, Tags: e.Refs}
		if e.Parent != "" {
			t.Contexts = map[string]string{e.Parent: "target:" + bakeName(e.Parent)}
		}
		f.Target[bakeName(e.Name)] = t
		all = append(all, bakeName(e.Name))
	}
	f.Group["default"] = bakeGroup{Targets: all}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(f)
}
