package feature

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/distribution/reference"
	"github.com/wsbuild/wsbuild/internal/suggest"
)

// A settings struct describes its spec keys with struct tags, which the
// decoder, the defaults, the JSON Schema and the input digest all read:
//
//	json:"name,omitempty"  the key in the spec (and in the input digest)
//	check:"..."            how a value is checked (see CheckString, CheckInt)
//	default:"..."          the value a zero field takes when planned
//	doc:"..."              one line for the JSON Schema
//	scalar:"true"          a plain value (of the feature's key, or of a list
//	                       item) sets this field: python: "3.11"
//	required:"true"        the key must be given
//	example:"..."          a value shown in errors and the JSON Schema
//
// Field types are string, int, bool, *bool, []string, map[string]string and,
// at the top of a list feature, a slice of such structs.

// Field is one key of a settings struct.
type Field struct {
	// Name is the key in the spec.
	Name string
	// Index is the struct field's index.
	Index int
	// Type is the Go type.
	Type reflect.Type
	// Check names the value check (see CheckString and CheckInt).
	Check string
	// Default is the value of a zero field once planned, as text.
	Default string
	// Doc describes the key.
	Doc string
	// Scalar marks the field a plain string list item sets.
	Scalar bool
	// Required marks a key that must be given.
	Required bool
	// Example is a value shown in errors and the JSON Schema ("" for none).
	Example string
}

// Fields lists the keys of settings struct type t, in declaration order.
func Fields(t reflect.Type) []Field {
	var out []Field
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		out = append(out, Field{
			Name: name, Index: i, Type: sf.Type, Check: sf.Tag.Get("check"),
			Default: sf.Tag.Get("default"), Doc: sf.Tag.Get("doc"),
			Scalar: sf.Tag.Get("scalar") == "true", Required: sf.Tag.Get("required") == "true",
			Example: sf.Tag.Get("example"),
		})
	}
	return out
}

// FieldNames lists the keys of settings struct type t.
func FieldNames(t reflect.Type) []string {
	var out []string
	for _, f := range Fields(t) {
		out = append(out, f.Name)
	}
	return out
}

var (
	stringT    = reflect.TypeFor[string]()
	intT       = reflect.TypeFor[int]()
	boolT      = reflect.TypeFor[bool]()
	boolPtrT   = reflect.TypeFor[*bool]()
	stringsT   = reflect.TypeFor[[]string]()
	stringMapT = reflect.TypeFor[map[string]string]()
)

// checkType reports settings types the decoder cannot handle.
func checkType(t reflect.Type) error {
	if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct {
		return checkStruct(t.Elem())
	}
	if t.Kind() != reflect.Struct {
		return fmt.Errorf("settings must be a struct or a slice of structs, not %s", t)
	}
	return checkStruct(t)
}

func checkStruct(t reflect.Type) error {
	for _, f := range Fields(t) {
		switch f.Type {
		case stringT, intT, boolT, boolPtrT, stringsT, stringMapT:
		default:
			return fmt.Errorf("field %q has type %s, which the decoder does not handle", f.Name, f.Type)
		}
		if f.Check != "" {
			if _, ok := checks[checkName(f.Check)]; !ok {
				return fmt.Errorf("field %q: unknown check %q", f.Name, f.Check)
			}
		}
	}
	return nil
}

func checkName(c string) string { name, _, _ := strings.Cut(c, "="); return name }

// Value checks by name. A check of strings returns the value, maybe
// normalised; a check of integers (port, porttoggle) reads the number.
var checks = map[string]func(arg, s string) (string, error){
	"oneof":      checkOneOf,
	"resolution": checkRegexp(`^[0-9]{3,5}x[0-9]{3,5}$`, `invalid resolution %q: expected WIDTHxHEIGHT, such as "1920x1080"`),
	"url":        checkURL,
	"command":    checkCommand,
	"abspath":    checkAbsPath,
	"name":       checkStepName,
	"rpackage":   checkRegexp(`^[A-Za-z][A-Za-z0-9.]*$`, `invalid R package name %q: letters, digits and dots, starting with a letter`),
	"python":     checkRegexp(pythonPattern, `invalid Python version %q: expected a version such as "3.11"`),
	"cuda":       checkRegexp(cudaPattern, `invalid CUDA version %q: expected major.minor, such as "12.4"`),
	"cudnn":      checkRegexp(cudnnPattern, `invalid cuDNN version %q: expected a major version such as 9`),
	"image":      checkImage,
	"secretid":   checkRegexp(secretIDPattern, `invalid secret id %q: use letters, digits, "_", "." and "-", starting with a letter or digit, at most 64 characters`),
	"port":       nil,
	"porttoggle": nil,
}

// CheckString runs the named check on s.
func CheckString(check, s string) (string, error) {
	if check == "" {
		return s, nil
	}
	name, arg, _ := strings.Cut(check, "=")
	fn := checks[name]
	if fn == nil {
		return s, nil
	}
	return fn(arg, s)
}

// CheckInt runs the named check on v: port and porttoggle accept 1-65535.
func CheckInt(check string, v int) error {
	switch checkName(check) {
	case "port", "porttoggle":
		if v < 1 || v > 65535 {
			return fmt.Errorf("invalid port %d: must be 1-65535", v)
		}
	}
	return nil
}

// OneOf lists the values a "oneof=a b c" check allows; nil for other checks.
func OneOf(check string) []string {
	name, arg, _ := strings.Cut(check, "=")
	if name != "oneof" {
		return nil
	}
	return strings.Fields(arg)
}

func checkOneOf(arg, s string) (string, error) {
	allowed := strings.Fields(arg)
	if slices.Contains(allowed, s) {
		return s, nil
	}
	msg := fmt.Sprintf("%q is not one of %s", s, strings.Join(allowed, ", "))
	if sg := Closest(s, allowed); sg != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", sg)
	}
	return s, errors.New(msg)
}

// Closest returns the candidate closest to s by edit distance, if it is at
// most 2 edits away and shorter than s itself; otherwise "".
func Closest(s string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		d := suggest.Distance(strings.ToLower(s), strings.ToLower(c))
		if d < bestDist && d < len(s) {
			best, bestDist = c, d
		}
	}
	return best
}

func checkRegexp(pattern, msg string) func(string, string) (string, error) {
	re := regexp.MustCompile(pattern)
	return func(_, s string) (string, error) {
		if !re.MatchString(s) {
			return s, fmt.Errorf(msg, s)
		}
		return s, nil
	}
}

// Pattern returns the regular expression a check enforces, for the JSON
// Schema; "" when it is not one.
func Pattern(check string) string {
	switch checkName(check) {
	case "resolution":
		return `^[0-9]{3,5}x[0-9]{3,5}$`
	case "rpackage":
		return `^[A-Za-z][A-Za-z0-9.]*$`
	case "abspath":
		return `^/`
	case "python":
		return pythonPattern
	case "cuda":
		return cudaPattern
	case "cudnn":
		return cudnnPattern
	case "secretid":
		return secretIDPattern
	}
	return ""
}

// Patterns of the version checks.
const (
	pythonPattern = `^[0-9]+(?:\.[0-9]+){0,2}$`
	cudaPattern   = `^[0-9]+\.[0-9]+$`
	cudnnPattern  = `^[0-9]+$`
	// secretIDPattern is what a secret id may be: it names a file under
	// /run/secrets in a step, as BuildKit's ids do.
	secretIDPattern = `^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`
)

// checkImage accepts an image reference such as "debian:bookworm".
func checkImage(_, s string) (string, error) {
	if _, err := reference.ParseNormalizedNamed(s); err != nil {
		msg := fmt.Sprintf(`invalid image reference %q: expected a reference such as "debian:bookworm"`, s)
		if _, detail, ok := strings.Cut(err.Error(), "invalid reference format: "); ok {
			msg += " (" + detail + ")"
		}
		return s, errors.New(msg)
	}
	return s, nil
}

func checkURL(_, s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "file") || (u.Scheme != "file" && u.Host == "") {
		return s, fmt.Errorf("invalid URL %q: expected an http, https or file URL such as http://localhost:8888", s)
	}
	if strings.ContainsAny(s, "\x00\n\r\t '\"\\`$") {
		return s, fmt.Errorf("invalid URL %q: quote, space, backslash, backquote and $ must be percent-encoded", s)
	}
	return s, nil
}

func checkCommand(_, s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return s, errors.New("empty command")
	}
	if strings.ContainsRune(s, 0) {
		return s, errors.New("the command holds a NUL character")
	}
	return s, nil
}

func checkAbsPath(_, s string) (string, error) {
	if !strings.HasPrefix(s, "/") || strings.ContainsAny(s, "\x00\n") || slices.Contains(strings.Split(s, "/"), "..") {
		return s, fmt.Errorf("invalid path %q: expected an absolute path without ..", s)
	}
	return s, nil
}

// checkStepName accepts a short one-line name.
func checkStepName(_, s string) (string, error) {
	if strings.TrimSpace(s) == "" || len(s) > 80 || strings.ContainsAny(s, "\x00\n\r") {
		return s, fmt.Errorf("invalid name %q: expected one line of at most 80 characters", s)
	}
	return s, nil
}

// ApplyDefaults sets every zero field of settings s (a pointer to a struct,
// or to a slice of structs) that has a default.
func ApplyDefaults(s Settings) {
	v := reflect.ValueOf(s).Elem()
	if v.Kind() == reflect.Slice {
		for i := range v.Len() {
			defaults(v.Index(i))
		}
		return
	}
	defaults(v)
}

func defaults(v reflect.Value) {
	for _, f := range Fields(v.Type()) {
		fv := v.Field(f.Index)
		// A port toggle's default is the port `true` stands for, not a value
		// the field takes when left out.
		if f.Default == "" || !fv.IsZero() || checkName(f.Check) == "porttoggle" {
			continue
		}
		switch f.Type {
		case stringT:
			fv.SetString(f.Default)
		case intT:
			n, err := strconv.Atoi(f.Default)
			if err != nil {
				panic(fmt.Sprintf("feature: default %q of %q is not a number", f.Default, f.Name))
			}
			fv.SetInt(int64(n))
		case boolPtrT:
			b := f.Default == "true"
			fv.Set(reflect.ValueOf(&b))
		}
	}
}

// Clone deep-copies settings s.
func Clone(s Settings) Settings {
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("feature: settings %T do not marshal: %v", s, err))
	}
	out := reflect.New(reflect.TypeOf(s).Elem()).Interface()
	if err := json.Unmarshal(b, out); err != nil {
		panic(fmt.Sprintf("feature: settings %T do not unmarshal: %v", s, err))
	}
	return out
}
