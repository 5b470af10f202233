// Package jinad reads JinaD-style workspace folders — a .jinad settings
// file, a requirements.txt and the project's files — and turns them into a
// wsbuild spec with one image. The .jinad parser is small and strict: it
// takes `key = value` lines (or `key: value`), optionally under a [jina]
// section, and names every problem as FILE:LINE: key: message.
package jinad

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/wsbuild/wsbuild/internal/suggest"
)

// FileName is the name of a workspace's settings file.
const FileName = ".jinad"

// Values of build:.
const (
	// BuildDefault is a plain Python image (the default).
	BuildDefault = "default"
	// BuildDevel adds a C toolchain, for requirements built from source.
	BuildDevel = "devel"
)

// Section is the one section a .jinad may put its keys under.
const Section = "jina"

// Keys are the keys a .jinad sets; others are warned about and ignored.
var Keys = []string{"build", "python", "ports", "run"}

// Config is a parsed .jinad file.
type Config struct {
	// Build is BuildDefault or BuildDevel; BuildDefault when unset.
	Build string
	// Python is the Python version, such as "3.11"; "" when unset.
	Python string
	// Ports lists the ports the workspace serves on, in the file's order.
	Ports []int
	// Run is the command line the workspace runs, with the quotes around
	// the whole value removed; "" when unset. Command splits it.
	Run string
	// Warnings are the keys that were ignored, as FILE:LINE: key: message.
	Warnings []string
}

// Error is one problem in a .jinad file.
type Error struct {
	// File is the name the file was parsed under.
	File string
	// Line is 1-based.
	Line int
	// Key is the key the problem is about; "" for a line that has none.
	Key string
	// Msg says what is wrong.
	Msg string
}

// Error formats the problem as FILE:LINE: key: message.
func (e *Error) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Key, e.Msg)
}

var pythonRE = regexp.MustCompile(`^3\.[0-9]+(\.[0-9]+)?$`)

// parser holds the state of one Parse.
type parser struct {
	file string
	cfg  *Config
	seen map[string]int // key -> line it was first set on
	errs []error
}

func (p *parser) errorf(line int, key, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

// Parse reads the .jinad in data; file names it in errors and warnings.
// Every problem is returned, joined (errors.As finds each *Error).
func Parse(file string, data []byte) (*Config, error) {
	p := &parser{file: file, cfg: &Config{Build: BuildDefault}, seen: map[string]int{}}
	section := ""
	content := strings.TrimPrefix(string(data), "\uFEFF") // a byte order mark some editors write
	for i, raw := range strings.Split(content, "\n") {
		n := i + 1
		line := strings.TrimSuffix(raw, "\r")
		text := strings.TrimSpace(line)
		switch {
		case text == "" || text[0] == '#' || text[0] == ';':
			continue
		case line[0] == ' ' || line[0] == '\t':
			p.errorf(n, "", "unexpected indented line (continuation lines are not supported)")
		case text[0] == '[':
			name, ok := strings.CutSuffix(text, "]")
			name = strings.TrimPrefix(name, "[")
			switch {
			case !ok:
				p.errorf(n, "", "unterminated section header %q", text)
			case name != Section:
				p.errorf(n, "", "unknown section %q (a .jinad has its keys at the top or under [%s])", text, Section)
			case section == Section:
				p.errorf(n, "", "duplicate section [%s]", Section)
			default:
				section = Section
			}
		default:
			p.pair(n, text)
		}
	}
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return p.cfg, nil
}

// pair handles one key = value line.
func (p *parser) pair(n int, text string) {
	i := strings.IndexAny(text, "=:")
	if i < 0 {
		p.errorf(n, "", "expected key = value, got %q", text)
		return
	}
	key := strings.ToLower(strings.TrimSpace(text[:i]))
	value := strings.TrimSpace(text[i+1:])
	if key == "" {
		p.errorf(n, "", "missing key before %q", text[i:i+1])
		return
	}
	if first, dup := p.seen[key]; dup {
		p.errorf(n, key, "duplicate key (first set on line %d)", first)
		return
	}
	p.seen[key] = n
	if value == "" {
		p.errorf(n, key, "empty value")
		return
	}
	switch key {
	case "build":
		v := unquote(value)
		if v != BuildDefault && v != BuildDevel {
			p.errorf(n, key, "unknown build %q (want %s or %s)", v, BuildDefault, BuildDevel)
			return
		}
		p.cfg.Build = v
	case "python":
		v := unquote(value)
		if !pythonRE.MatchString(v) {
			p.errorf(n, key, "invalid Python version %q (want a Python 3 version such as 3.11)", v)
			return
		}
		p.cfg.Python = v
	case "ports":
		p.cfg.Ports = p.ports(n, unquote(value))
	case "run":
		v := unquote(value)
		if _, _, err := Command(v); err != nil {
			p.errorf(n, key, "%v", err)
			return
		}
		p.cfg.Run = v
	default:
		why := "not a wsbuild key, ignored"
		if key == "jina" {
			why = "ignored: wsbuild does not install Jina; list it in requirements.txt if the project needs it"
		} else if s := suggest.Closest(key, Keys); s != "" {
			why = fmt.Sprintf("not a wsbuild key, ignored (did you mean %q?)", s)
		}
		p.cfg.Warnings = append(p.cfg.Warnings, (&Error{File: p.file, Line: n, Key: key, Msg: why}).Error())
	}
}

// ports parses a comma separated list of ports.
func (p *parser) ports(n int, value string) []int {
	var out []int
	seen := map[int]bool{}
	for _, item := range strings.Split(value, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			p.errorf(n, "ports", "empty port in %q", value)
			return nil
		}
		port, err := strconv.Atoi(item)
		if err != nil || port < 1 || port > 65535 {
			p.errorf(n, "ports", "invalid port %q (want a number from 1 to 65535)", item)
			return nil
		}
		if seen[port] {
			p.errorf(n, "ports", "port %d listed twice", port)
			return nil
		}
		seen[port] = true
		out = append(out, port)
	}
	return out
}

// unquote removes one pair of matching quotes around the whole of s, when
// s is a single quoted string ("a b", not "a" "b"). Inside double quotes,
// \" and \\ stand for " and \; other backslashes stay.
func unquote(s string) string {
	if len(s) < 2 || (s[0] != '"' && s[0] != '\'') || s[len(s)-1] != s[0] {
		return s
	}
	inner := s[1 : len(s)-1]
	if s[0] == '\'' {
		if strings.Contains(inner, "'") {
			return s
		}
		return inner
	}
	var b strings.Builder
	for i := 0; i < len(inner); i++ {
		switch c := inner[i]; {
		case c == '"':
			return s // an unescaped quote: not one quoted string
		case c == '\\' && i+1 == len(inner):
			return s // the closing quote is escaped
		case c == '\\' && (inner[i+1] == '"' || inner[i+1] == '\\'):
			i++
			b.WriteByte(inner[i])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
