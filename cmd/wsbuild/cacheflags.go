package main

import (
	"github.com/spf13/pflag"
	"github.com/wsbuild/wsbuild/internal/buildcache"
	"github.com/wsbuild/wsbuild/internal/pipeline"
)

// cacheSynopsis is how the build synopsis lists cacheFlags.
const cacheSynopsis = "[--cache-to CACHE]... [--cache-from CACHE]..."

// cacheFlags are --cache-to and --cache-from, each repeatable, with buildx's
// syntax (see package buildcache).
type cacheFlags struct {
	to, from []string
}

func (c *cacheFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&c.to, "cache-to", nil, "export each image's build cache to `CACHE` (type=registry,ref=REF[,mode=max], "+
		"type=local,dest=DIR, type=inline, type=gha, type=s3...); {image} and {tag} in it are the image's, else the image's name "+
		"is added (ref REPO becomes REPO:IMAGE, DIR becomes DIR/IMAGE); replaces the spec's cache: (repeatable)")
	fs.StringArrayVar(&c.from, "cache-from", nil, "import build cache from `CACHE` (type=registry,ref=REF, type=local,src=DIR...), "+
		"named per image as for --cache-to; replaces the spec's cache: (repeatable)")
}

// apply parses the flags into o; a bad value is a usage error naming the
// flag and the key.
func (c *cacheFlags) apply(o *pipeline.Options) error {
	var err error
	if o.CacheTo, err = parseCache(buildcache.Export, c.to); err != nil {
		return err
	}
	o.CacheFrom, err = parseCache(buildcache.Import, c.from)
	return err
}

func parseCache(d buildcache.Direction, values []string) ([]buildcache.Entry, error) {
	var out []buildcache.Entry
	for _, v := range values {
		e, err := buildcache.Parse(d, v)
		if err != nil {
			return nil, usageError{err}
		}
		out = append(out, e)
	}
	return out, nil
}
