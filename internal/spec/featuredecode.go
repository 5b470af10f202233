package spec

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/wsbuild/wsbuild/internal/feature"
	"go.yaml.in/yaml/v3"
)

// feature decodes the value of a registered feature's key, driven by its
// settings' struct tags: a mapping feature is written true, false or a
// mapping of its fields; a list feature as a list of mappings or strings.
// It returns nil when the feature is off or unreadable.
func (d *decoder) feature(f field, ft feature.Feature) feature.Settings {
	s := ft.New()
	v := reflect.ValueOf(s).Elem()
	if v.Kind() == reflect.Slice {
		if !d.featureList(f, v) {
			return nil
		}
	} else if !d.featureStruct(f, v) {
		return nil
	}
	for _, p := range ft.Validate(s) {
		path := join(f.path, p.Field)
		pos, ok := d.pos[path]
		if !ok {
			pos = f.pos
		}
		d.errorf(pos, path, "%s", p.Msg)
	}
	return s
}

// featureStruct decodes a mapping feature into struct v; false when it is
// off. A feature with a scalar field (python: "3.11") may be written as that
// field's value; when the field is required, true is not enough.
func (d *decoder) featureStruct(f field, v reflect.Value) bool {
	fields := feature.Fields(v.Type())
	names := feature.FieldNames(v.Type())
	mapping := "a mapping with " + andList(names)
	i := scalarField(fields)
	if i < 0 {
		on, pairs := d.toggle(f, mapping, names)
		if on {
			d.featureFields(f, pairs, v)
		}
		return on
	}
	sf := fields[i]
	value := "a " + sf.Name + example(sf)
	if b, ok := isBool(f.val); ok && b && sf.Required {
		d.fail(f, "true does not say which %s: give %s, or false", sf.Name, value)
		return false
	}
	switch {
	case isText(f.val):
		d.featureField(f, v.Field(sf.Index), sf)
		return true
	case sf.Required && f.val.Kind != yaml.MappingNode && !isNull(f.val) && f.val.ShortTag() != "!!bool":
		d.fail(f, "expected false, %s or %s, got %s", value, mapping, describe(f.val))
		return false
	}
	on, pairs := d.toggle(f, value+" or "+mapping, names)
	if on {
		d.featureFields(f, pairs, v)
	}
	return on
}

// example is ", such as EXAMPLE" for a field with an example, else "".
func example(fl feature.Field) string {
	if fl.Example == "" {
		return ""
	}
	return fmt.Sprintf(" such as %q", fl.Example)
}

// featureList decodes a list feature into slice v; false when it is off.
func (d *decoder) featureList(f field, v reflect.Value) bool {
	et := v.Type().Elem()
	fields := feature.Fields(et)
	names := feature.FieldNames(et)
	what := "a list of mappings with " + andList(names)
	if isNull(f.val) {
		return false
	}
	items := d.list(f, what)
	if items == nil {
		return false
	}
	for _, it := range items {
		e := reflect.New(et).Elem()
		if it.val.Kind == yaml.ScalarNode && !isNull(it.val) {
			i := scalarField(fields)
			if i < 0 {
				d.fail(it, "expected a mapping with %s, got %s", andList(names), describe(it.val))
				continue
			}
			d.featureField(it, e.Field(fields[i].Index), fields[i])
		} else {
			d.featureFields(it, d.mapping(it, "a mapping with "+andList(names), names), e)
		}
		v.Set(reflect.Append(v, e))
	}
	return true
}

func scalarField(fields []feature.Field) int {
	for i, f := range fields {
		if f.Scalar {
			return i
		}
	}
	return -1
}

// featureFields decodes the pairs of mapping f into struct v and reports
// required keys that are missing.
func (d *decoder) featureFields(f field, pairs []field, v reflect.Value) {
	fields := feature.Fields(v.Type())
	given := map[string]bool{}
	for _, c := range pairs {
		for _, fl := range fields {
			if fl.Name == c.name {
				given[c.name] = !isNull(c.val)
				d.featureField(c, v.Field(fl.Index), fl)
			}
		}
	}
	if f.val.Kind != yaml.MappingNode {
		return
	}
	for _, fl := range fields {
		if fl.Required && !given[fl.Name] {
			d.fail(f, "missing %s%s", fl.Name, strings.Replace(example(fl), " such", ", such", 1))
		}
	}
}

// featureField decodes one value into fv by the type and check of fl.
func (d *decoder) featureField(c field, fv reflect.Value, fl feature.Field) {
	check := func(s string) (string, error) { return feature.CheckString(fl.Check, s) }
	switch fv.Interface().(type) {
	case string:
		fv.SetString(d.str(c, check))
	case int:
		if fl.Check == "porttoggle" {
			if b, ok := isBool(c.val); ok {
				if b {
					n, _ := strconv.Atoi(fl.Default)
					fv.SetInt(int64(n))
				}
				return
			}
			if c.val.Kind != yaml.ScalarNode || c.val.ShortTag() != "!!int" {
				d.fail(c, "expected true, false or a port, got %s", describe(c.val))
				return
			}
		}
		n, ok := d.integer(c)
		if !ok {
			return
		}
		if err := feature.CheckInt(fl.Check, n); err != nil {
			d.fail(c, "%v", err)
			return
		}
		fv.SetInt(int64(n))
	case bool:
		fv.SetBool(d.boolean(c))
	case *bool:
		if b, ok := isBool(c.val); ok {
			fv.Set(reflect.ValueOf(&b))
		} else if !isNull(c.val) {
			d.boolean(c) // reports what it is instead
		}
	case []string:
		fv.Set(reflect.ValueOf(d.strList(c, "a list of strings", "a string", check)))
	case map[string]string:
		fv.Set(reflect.ValueOf(d.strMap(c, nil)))
	}
}

// andList joins names as "a, b and c".
func andList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
