package main

import (
	"bytes"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// helpFlag is a flag as a command's --help lists it.
type helpFlag struct {
	long, short string
	// line is the part of its help line before the description.
	line string
}

// commandHelp runs `wsbuild NAME --help` and returns its usage lines and its flags.
func commandHelp(t *testing.T, name string) (string, []helpFlag) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{name, "--help"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("%s --help exited %d: %s", name, code, stderr.String())
	}
	usage, list, ok := strings.Cut(stdout.String(), "\nflags:\n")
	if !ok || !strings.HasPrefix(usage, "usage: wsbuild "+name) {
		t.Fatalf("%s --help:\n%s\nwant usage lines, then flags:", name, stdout.String())
	}
	var flags []helpFlag
	line := regexp.MustCompile(`^\s+(?:-(\w), )?--([a-z0-9-]+)`)
	for _, l := range strings.Split(list, "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("%s --help: cannot read flag line %q", name, l)
		}
		before, _, _ := strings.Cut(strings.TrimSpace(l), "   ")
		flags = append(flags, helpFlag{long: m[2], short: m[1], line: before})
	}
	return strings.TrimSpace(usage), flags
}

// synopsisFlags returns the flags a synopsis names: --long and -s.
func synopsisFlags(s string) []string {
	re := regexp.MustCompile(`(?:^|[\s\[|])(--[a-z][a-z0-9-]*|-[a-zA-Z])\b`)
	var out []string
	for _, m := range re.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// readmeSynopses returns the README's synopsis of each command: the lines
// of the block under "## Commands" that start with "wsbuild NAME", with
// their continuation lines.
func readmeSynopses(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "\n## Commands\n")
	if !ok {
		t.Fatal("README.md has no ## Commands section")
	}
	out := map[string]string{}
	cmd := ""
	for _, l := range strings.Split(after, "\n") {
		if !strings.HasPrefix(l, "    ") {
			if cmd != "" && strings.TrimSpace(l) != "" {
				break // the end of the block
			}
			continue
		}
		if fields := strings.Fields(l); fields[0] == "wsbuild" && len(fields) > 1 {
			cmd = fields[1]
		}
		out[cmd] += l + "\n"
	}
	return out
}

// TestHelpAgreesWithFlags checks, for every command, that its usage lines
// and the README's synopsis name every flag it takes and no other, and
// that its flag list gives each flag at most a one-word argument name
// (pflag takes a backquoted phrase in a description for one).
func TestHelpAgreesWithFlags(t *testing.T) {
	readme := readmeSynopses(t)
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			usage, flags := commandHelp(t, c.name)
			synopses := map[string]string{"usage": usage, "README": readme[c.name]}
			if synopses["README"] == "" {
				t.Errorf("README.md's ## Commands has no synopsis of %s", c.name)
			}
			var known []string
			for _, f := range flags {
				known = append(known, "--"+f.long)
				if f.short != "" {
					known = append(known, "-"+f.short)
				}
				words := strings.Fields(f.line)
				if f.short != "" {
					words = words[1:]
				}
				if len(words) > 2 {
					t.Errorf("--help lists --%s as %q: its argument name is more than a word", f.long, f.line)
				}
				for where, s := range synopses {
					named := synopsisFlags(s)
					if !slices.Contains(named, "--"+f.long) && (f.short == "" || !slices.Contains(named, "-"+f.short)) {
						t.Errorf("the %s synopsis leaves out --%s:\n%s", where, f.long, s)
					}
				}
			}
			for where, s := range synopses {
				for _, n := range synopsisFlags(s) {
					if !slices.Contains(known, n) {
						t.Errorf("the %s synopsis names %s, which %s does not take:\n%s", where, n, c.name, s)
					}
				}
			}
		})
	}
}
