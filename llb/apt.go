package llb

import (
	"slices"
	"strconv"
	"strings"

	bk "github.com/moby/buildkit/client/llb"
)

// aptShared is where an apt step sees the package lists and archives that
// every image built on the same base shares (a cache mount).
const aptShared = "/var/cache/wsbuild-apt"

// aptListsMaxAge is how many minutes the shared package lists are used
// before an apt step fetches them again.
const aptListsMaxAge = 10

// featureApt installs the Debian packages of the features and Python
// entering the chain here.
func (b *builder) featureApt() {
	b.aptStep(dedupe(featurePackages(b.node)))
}

// ownApt installs the image's own apt: packages, but those a feature
// installed already. It is a step of its own, after the features' packages
// (see compileNode), so editing the image's list installs nothing else again.
func (b *builder) ownApt() {
	features := featurePackages(b.node)
	var own []string
	for _, p := range dedupe(b.node.Spec.Apt) {
		if !slices.Contains(features, p) {
			own = append(own, p)
		}
	}
	b.aptStep(own)
}

// aptStep installs pkgs in one step. The downloads go through the lists and
// archives shared by every image on the same base, one image at a time (a
// file lock on the cache mount), so the family fetches each package once;
// the installation itself reads a private copy of the lists and the shared
// archives without apt's locks, so images install at the same time. Nothing
// of either lands in the image: the lists' copy is removed in the step, and
// apt's binary caches are off.
func (b *builder) aptStep(pkgs []string) {
	if len(pkgs) == 0 {
		return
	}
	words := shellWords(pkgs)
	sources := chainAptSources(b.node)
	auth, authOpt, authOpts := aptAuth(sources)
	script := auth + `rm -f /etc/apt/apt.conf.d/docker-clean
s=` + aptShared + ` lists=/tmp/wsbuild-apt-lists
mkdir -p "$s/lists/partial" "$s/archives/partial" "$lists"
set -- -o "Dir::Cache::Archives=$s/archives/" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o "Dir::State::Lists=$lists/"` + authOpt + `
# Downloads, one image at a time.
flock "$s/lock" sh -eu -c '
s=$1 lists=$2; shift 2
if [ -z "$(find "$s/lists.stamp" -mmin -` + strconv.Itoa(aptListsMaxAge) + ` 2>/dev/null)" ]; then
  apt-get update -qq -o "Dir::State::Lists=$s/lists/" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=` + authOpt + `
  touch "$s/lists.stamp"
fi
cp -a "$s/lists/." "$lists/"
apt-get install -y -qq --no-install-recommends --download-only "$@" ` + words + `
' sh "$s" "$lists" "$@"
# Installation, at the same time as other images'. dpkg does not sync each
# file it unpacks: the step's layer is committed only once the step ended, and
# a step cut short is run again from its start.
apt-get install -y -qq --no-install-recommends --no-download -o Debug::NoLocking=1 -o DPkg::Options::=--force-unsafe-io "$@" ` + words + `
rm -rf "$lists"
# Host keys a package made (openssh-server's postinst does) go in the same
# step, so no layer of the image ever holds one.
rm -f /etc/ssh/ssh_host_*`
	b.sh(reproducible(b.epoch, script), append([]bk.RunOption{
		bk.AddEnv("DEBIAN_FRONTEND", "noninteractive"),
		bk.User("0:0"),
		bk.AddMount(aptShared, bk.Scratch(), bk.AsPersistentCacheDir(aptListsID(b.node.Base, sources), bk.CacheMountShared)),
		b.name("apt-get install %s", strings.Join(pkgs, " ")),
	}, authOpts...)...)
}
