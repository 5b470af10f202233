package spec

import (
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Compression says how the layers an image adds are compressed. The zero
// value is BuildKit's default: gzip at its default level.
type Compression struct {
	// Type is gzip, zstd or uncompressed; "" means gzip.
	Type string `json:"type,omitempty"`
	// Level is the compression level (gzip 0 to 9, zstd 1 to 22); nil for
	// the type's default.
	Level *int `json:"level,omitempty"`
}

// IsDefault says whether c is gzip at its default level.
func (c Compression) IsDefault() bool {
	return (c.Type == "" || c.Type == "gzip") && c.Level == nil
}

// ParseCompression checks a compression type and level (nil for the
// default), as the spec's compression: and the --compression flags give
// them, and returns them normalised.
func ParseCompression(typ string, level *int) (Compression, error) {
	c := Compression{Type: typ, Level: level}
	lo, hi := 0, 9
	switch typ {
	case "", "gzip":
		c.Type = "gzip"
	case "zstd":
		lo, hi = 1, 22
	case "uncompressed":
		if level != nil {
			return c, fmt.Errorf("uncompressed layers take no level")
		}
	default:
		return c, fmt.Errorf("unknown compression %q (want gzip, zstd or uncompressed)", typ)
	}
	if level != nil && (*level < lo || *level > hi) {
		return c, fmt.Errorf("%s level %d is out of range (%d to %d)", c.Type, *level, lo, hi)
	}
	return c, nil
}

// compression decodes the family's compression: a type (compression: zstd)
// or a mapping of type and level; null leaves the default.
func (d *decoder) compression(f field) *Compression {
	if isNull(f.val) {
		return nil
	}
	var typ string
	var level *int
	typeAt, levelAt := f, f
	if f.val.Kind == yaml.ScalarNode {
		typ = d.str(f, nil)
	} else {
		for _, c := range d.mapping(f, "a type (gzip, zstd, uncompressed) or a mapping of type and level", []string{"type", "level"}) {
			switch c.name {
			case "type":
				typ, typeAt = d.str(c, nil), c
			case "level":
				s, ok := d.scalar(c, "a whole number")
				n, err := strconv.Atoi(s)
				if !ok || err != nil {
					d.fail(c, "expected a whole number, got %s", describe(c.val))
					return nil
				}
				level, levelAt = &n, c
			}
		}
	}
	if _, err := ParseCompression(typ, nil); err != nil {
		d.fail(typeAt, "%v", err)
		return nil
	}
	c, err := ParseCompression(typ, level)
	if err != nil {
		d.fail(levelAt, "%v", err)
		return nil
	}
	return &c
}
