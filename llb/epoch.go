package llb

import (
	"strconv"
	"time"

	bk "github.com/moby/buildkit/client/llb"
)

// EnvSourceDateEpoch is the variable build steps see the source date epoch
// in, so the tools they run (useradd, Python's compileall, dpkg) write it
// instead of the current time.
const EnvSourceDateEpoch = "SOURCE_DATE_EPOCH"

// WithSourceDateEpoch fixes the timestamps of what Compile makes to t, in
// whole seconds: files the compiler writes or copies get t as their time,
// build steps see it as $SOURCE_DATE_EPOCH, the image config's created is t,
// and every Image carries it for the exporter to clamp the layers' file times
// and history to. Default: the plan's (see plan.Plan.SourceDateEpoch), else
// unset, and timestamps are the build's.
func WithSourceDateEpoch(t time.Time) Option {
	return func(o *options) error {
		e := time.Unix(t.Unix(), 0).UTC()
		o.epoch = &e
		return nil
	}
}

// stamp appends the source date epoch, when one is set, to the options of a
// file action (Mkdir, Mkfile or Copy) as the created time of its files.
func stamp[T any](epoch *time.Time, opts ...T) []T {
	if epoch == nil {
		return opts
	}
	return append(opts, any(bk.WithCreatedTime(*epoch)).(T))
}

// unstableFiles is script that empties or removes, in the step that made
// them, the files that differ between two runs of a root step even with the
// same epoch:
// logs (dpkg's, apt's, update-alternatives', with times in them), ldconfig's
// cache of inode numbers and times, and the -old copies debconf and dpkg keep.
// Removing them in a later step would not help: the step's layer keeps them.
const unstableFiles = `
# Reproducible with SOURCE_DATE_EPOCH: empty the logs and drop the caches and
# backups that differ from one run to the next.
find /var/log -type f -size +0 -exec truncate -s 0 {} +
rm -f /var/cache/ldconfig/aux-cache /var/cache/debconf/*-old /var/lib/dpkg/*-old`

// reproducible appends the removal of unstableFiles to a root step's script
// when there is a source date epoch.
func reproducible(epoch *time.Time, script string) string {
	if epoch == nil {
		return script
	}
	return script + unstableFiles
}

// epochEnv is the environment a build step gets for the source date epoch.
func epochEnv(epoch *time.Time) []bk.RunOption {
	if epoch == nil {
		return nil
	}
	return []bk.RunOption{bk.AddEnv(EnvSourceDateEpoch, strconv.FormatInt(epoch.Unix(), 10))}
}
