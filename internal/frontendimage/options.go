package frontendimage

import (
	"errors"
	"fmt"
	"maps"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Option configures Assemble.
type Option func(*options) error

type options struct {
	platform v1.Platform
	created  time.Time
	version  string
	source   string
	extra    map[string]string
}

// DefaultSource is the default org.opencontainers.image.source label.
const DefaultSource = "https://github.com/wsbuild/wsbuild"

func resolve(opts []Option) (options, error) {
	o := options{
		platform: v1.Platform{OS: "linux", Architecture: "amd64"},
		created:  time.Unix(0, 0).UTC(),
		version:  "dev",
		source:   DefaultSource,
	}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return o, err
		}
	}
	return o, nil
}

// WithPlatform sets the image's os, architecture and variant; the binaries
// must be built for it. Only linux is accepted. Default: linux/amd64.
func WithPlatform(p v1.Platform) Option {
	return func(o *options) error {
		if p.OS != "linux" || p.Architecture == "" {
			return fmt.Errorf("WithPlatform: %q: the frontend image must be linux/ARCH", p.String())
		}
		o.platform = v1.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant}
		return nil
	}
}

// WithPlatformString is WithPlatform for "os/arch[/variant]", e.g.
// "linux/arm64". Default: "linux/amd64".
func WithPlatformString(s string) Option {
	return func(o *options) error {
		p, err := v1.ParsePlatform(s)
		if err != nil {
			return fmt.Errorf("WithPlatformString: %q: %w", s, err)
		}
		return WithPlatform(*p)(o)
	}
}

// WithCreated sets the one time used for the files' mtimes, the history
// entry and the config's created field; callers pass SOURCE_DATE_EPOCH.
// Sub-second parts are dropped. Default: the Unix epoch (0).
func WithCreated(t time.Time) Option {
	return func(o *options) error {
		if t.Before(time.Unix(0, 0)) {
			return fmt.Errorf("WithCreated: %s is before the Unix epoch", t)
		}
		o.created = t.Truncate(time.Second).UTC()
		return nil
	}
}

// WithVersion sets the org.opencontainers.image.version label. Default: "dev".
func WithVersion(v string) Option {
	return func(o *options) error {
		if v == "" {
			return errors.New("WithVersion: empty version")
		}
		o.version = v
		return nil
	}
}

// WithSource sets the org.opencontainers.image.source label. Default: DefaultSource.
func WithSource(url string) Option {
	return func(o *options) error {
		if url == "" {
			return errors.New("WithSource: empty source")
		}
		o.source = url
		return nil
	}
}

// WithLabels adds config labels (e.g. org.opencontainers.image.revision); the
// labels Assemble sets itself (BuildKit's, title, source, version) are
// errors here. Default: none.
func WithLabels(labels map[string]string) Option {
	return func(o *options) error {
		for k := range labels {
			switch k {
			case LabelNetworkNone, LabelCaps, LabelTitle, LabelSource, LabelVersion:
				return fmt.Errorf("WithLabels: %q is set by frontendimage", k)
			}
		}
		if o.extra == nil {
			o.extra = map[string]string{}
		}
		maps.Copy(o.extra, labels)
		return nil
	}
}

// labels returns the config labels: the extra ones, the OCI ones and BuildKit's.
func (o options) labels() map[string]string {
	l := maps.Clone(o.extra)
	if l == nil {
		l = map[string]string{}
	}
	l[LabelTitle] = "wsbuild-frontend"
	l[LabelSource] = o.source
	l[LabelVersion] = o.version
	l[LabelNetworkNone] = "true"
	l[LabelCaps] = Caps
	return l
}
