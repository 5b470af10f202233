package sbom

import "strings"

// spdxLicenses are the SPDX license list ids a Debian or Python package is
// likely to declare. An expression naming any other becomes a LicenseRef:
// always valid, where an unknown id would not be.
var spdxLicenses = lowerSet("0BSD", "AFL-3.0", "AGPL-3.0-only", "AGPL-3.0-or-later",
	"Apache-1.1", "Apache-2.0", "Artistic-2.0", "BlueOak-1.0.0", "BSD-1-Clause",
	"BSD-2-Clause", "BSD-3-Clause", "BSD-3-Clause-Clear", "BSD-4-Clause", "BSL-1.0",
	"CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0", "CNRI-Python", "curl", "EPL-1.0", "EPL-2.0",
	"GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later", "HPND",
	"ISC", "LGPL-2.0-only", "LGPL-2.0-or-later", "LGPL-2.1-only", "LGPL-2.1-or-later",
	"LGPL-3.0-only", "LGPL-3.0-or-later", "MIT", "MIT-0", "MPL-1.1", "MPL-2.0", "NCSA",
	"OpenSSL", "PSF-2.0", "Python-2.0", "Unicode-3.0", "Unicode-DFS-2016", "Unlicense",
	"UPL-1.0", "WTFPL", "X11", "Zlib", "ZPL-2.1")

// spdxExceptions are the SPDX exception ids allowed after WITH.
var spdxExceptions = lowerSet("Classpath-exception-2.0", "GCC-exception-3.1",
	"LLVM-exception", "Autoconf-exception-3.0", "Bison-exception-2.2")

// lowerSet is the set of ids, lowercased: SPDX ids match case-insensitively.
func lowerSet(ids ...string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[strings.ToLower(id)] = true
	}
	return m
}

// validExpression reports whether s is an SPDX license expression over the
// ids spdxLicenses and spdxExceptions know: ids (optionally ending in "+"),
// "AND", "OR", "WITH" and parentheses.
func validExpression(s string) bool {
	s = strings.NewReplacer("(", " ( ", ")", " ) ").Replace(s)
	p := exprParser{toks: strings.Fields(s)}
	return len(p.toks) > 0 && p.expr() && p.i == len(p.toks)
}

// exprParser is a recursive descent parser of license expressions.
type exprParser struct {
	toks []string
	i    int
}

// next consumes and returns the next token, "" at the end.
func (p *exprParser) next() string {
	if p.i == len(p.toks) {
		return ""
	}
	p.i++
	return p.toks[p.i-1]
}

// peek returns the next token without consuming it.
func (p *exprParser) peek() string {
	if p.i == len(p.toks) {
		return ""
	}
	return p.toks[p.i]
}

// expr parses term (("AND" | "OR") term)*.
func (p *exprParser) expr() bool {
	if !p.term() {
		return false
	}
	for op := p.peek(); op == "AND" || op == "OR"; op = p.peek() {
		p.i++
		if !p.term() {
			return false
		}
	}
	return true
}

// term parses "(" expr ")" or id ["WITH" exception].
func (p *exprParser) term() bool {
	t := p.next()
	if t == "(" {
		return p.expr() && p.next() == ")"
	}
	if !spdxLicenses[strings.ToLower(strings.TrimSuffix(t, "+"))] {
		return false
	}
	if p.peek() == "WITH" {
		p.i++
		return spdxExceptions[strings.ToLower(p.next())]
	}
	return true
}
