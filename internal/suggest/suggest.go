// Package suggest finds the name a user most likely meant, for
// "did you mean" hints in error messages.
package suggest

import "strings"

// Closest returns the candidate closest to s, ignoring case: one at most two
// edits away (and fewer edits than s is long), else the shortest candidate
// that contains s, else the longest candidate that s contains, else "".
func Closest(s string, candidates []string) string {
	if s == "" {
		return ""
	}
	ls := strings.ToLower(s)
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := Distance(ls, strings.ToLower(c)); d < bestDist && d < len(s) {
			best, bestDist = c, d
		}
	}
	if best != "" {
		return best
	}
	for _, c := range candidates {
		if strings.Contains(strings.ToLower(c), ls) && (best == "" || len(c) < len(best)) {
			best = c
		}
	}
	if best != "" {
		return best
	}
	for _, c := range candidates {
		if c != "" && strings.Contains(ls, strings.ToLower(c)) && len(c) > len(best) {
			best = c
		}
	}
	return best
}

// Distance is the Levenshtein distance between a and b, in bytes.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
