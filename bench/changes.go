package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/wsbuild/wsbuild/internal/spec"
)

// ownAptMarker is the line of a Dockerfile where wsbuild runs the image's
// own apt: packages (after its features' steps); a change that adds a
// package puts a RUN of apt-get install there.
const ownAptMarker = "# bench: own apt packages go here"

// change is the edit of a change scenario: one Debian package added to one
// image's own apt: packages, on both sides.
type change struct {
	Scenario, Image, Package string
}

// changes are the change scenarios, in the order they run. Each edits the
// family as committed: the previous scenario's edit is undone.
var changes = []change{
	{Scenario: "leaf", Image: leafImage, Package: "tree"},
	{Scenario: "leaf2", Image: leafImage, Package: "htop"},
	{Scenario: "root", Image: rootImage, Package: "jq"},
}

// changeFor returns the change of scenario, if it is one.
func changeFor(scenario string) (change, bool) {
	for _, c := range changes {
		if c.Scenario == scenario {
			return c, true
		}
	}
	return change{}, false
}

// wsbuildSet is the --set that makes c on the wsbuild side: the image's
// apt: list as the catalogue (with templates/offline.sets) has it, plus
// c.Package.
func (c change) wsbuildSet(root string) (string, error) {
	f, err := parseCatalogue(root)
	if err != nil {
		return "", err
	}
	img, ok := f.Images[c.Image]
	if !ok {
		return "", fmt.Errorf("the catalogue has no image %q", c.Image)
	}
	return fmt.Sprintf("%s.apt=[%s]", c.Image, strings.Join(append(append([]string{}, img.Apt...), c.Package), ", ")), nil
}

// editDockerfile makes c in the text of c.Image's Dockerfile: a RUN that
// installs c.Package, with the family's apt caches, where the marker is.
func (c change) editDockerfile(dockerfile string) (string, error) {
	if !strings.Contains(dockerfile, ownAptMarker) {
		return "", fmt.Errorf("%s/Dockerfile has no %q line", c.Image, ownAptMarker)
	}
	run := "RUN --mount=type=cache,id=bench/apt/archives,target=/var/cache/apt,sharing=locked \\\n" +
		"    --mount=type=cache,id=bench/apt/lists,target=/var/lib/apt/lists,sharing=locked \\\n" +
		"    set -eu; export DEBIAN_FRONTEND=noninteractive; \\\n" +
		"    apt-get update -qq; \\\n" +
		"    apt-get install -y -qq --no-install-recommends -o APT::Keep-Downloaded-Packages=true " + c.Package + "; \\\n" +
		"    rm -f /etc/ssh/ssh_host_*"
	return strings.Replace(dockerfile, ownAptMarker, run, 1), nil
}

// parseCatalogue parses root/templates/catalogue.yaml with
// root/templates/offline.sets and sets applied, as the bench builds it.
func parseCatalogue(root string, sets ...string) (*spec.Family, error) {
	data, err := os.ReadFile(filepath.Join(root, "templates", "catalogue.yaml"))
	if err != nil {
		return nil, err
	}
	offline, err := os.ReadFile(filepath.Join(root, "templates", "offline.sets"))
	if err != nil {
		return nil, err
	}
	list, err := spec.ReadOverrides("offline.sets", offline)
	if err != nil {
		return nil, err
	}
	return spec.Parse("catalogue.yaml", data, spec.WithOverrideList(list), spec.WithOverrides(sets))
}
