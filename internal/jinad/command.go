package jinad

import (
	"errors"
	"fmt"
	"strings"
)

// Command splits the command line s the way /bin/sh would split a simple
// command: words separated by blanks, '...' and "..." quoting, backslash
// escapes. When s uses anything else of the shell's — pipes, redirections,
// $ expansion, globs, `VAR=value cmd`, a # comment — shell is true and argv
// is nil: s must then be run by /bin/sh -c. An unterminated quote, an
// empty command, an empty command name (a first word of blanks, or "") and
// a NUL character (which no argument or shell command can hold) are errors.
func Command(s string) (argv []string, shell bool, err error) {
	if strings.ContainsRune(s, 0) {
		return nil, false, fmt.Errorf("a command cannot hold a NUL character: %q", s)
	}
	var (
		word    strings.Builder
		inWord  bool
		quoted  bool // the current word has a quoted part
		special bool
	)
	end := func() {
		if inWord {
			argv = append(argv, word.String())
		}
		word.Reset()
		inWord, quoted = false, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			end()
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, false, fmt.Errorf("unterminated ' quote in %q", s)
			}
			word.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord, quoted = true, true
		case c == '"':
			j, sp, err := doubleQuoted(s, i+1, &word)
			if err != nil {
				return nil, false, err
			}
			special = special || sp
			i = j
			inWord, quoted = true, true
		case c == '\\':
			if i+1 == len(s) {
				return nil, false, fmt.Errorf("trailing backslash in %q", s)
			}
			i++
			word.WriteByte(s[i])
			inWord = true
		case strings.IndexByte("|&;<>()$`*?[\n", c) >= 0,
			(c == '#' || c == '~') && !inWord,
			c == '=' && len(argv) == 0 && !quoted:
			special = true
			word.WriteByte(c)
			inWord = true
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	end()
	if len(argv) == 0 {
		return nil, false, errors.New("empty command")
	}
	if special {
		return nil, true, nil
	}
	if strings.TrimSpace(argv[0]) == "" {
		return nil, false, fmt.Errorf("empty command name in %q", s)
	}
	return argv, false, nil
}

// doubleQuoted reads a "..." string of s starting after its opening quote
// into w. It returns the index of the closing quote and whether the string
// expands anything ($ or `).
func doubleQuoted(s string, i int, w *strings.Builder) (int, bool, error) {
	special := false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return i, special, nil
		case c == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0:
			i++
			w.WriteByte(s[i])
		case c == '$' || c == '`':
			special = true
			w.WriteByte(c)
		default:
			w.WriteByte(c)
		}
	}
	return 0, false, fmt.Errorf("unterminated \" quote in %q", s)
}
