package main

import (
	"bufio"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// sbomVertex is the SBOM step's vertex in BuildKit's plain progress.
var sbomVertex = regexp.MustCompile(`^(#\d+) \[[^\]]+\] sbom: `)

// sbomStepSeconds reads a plain progress log and returns how long each
// SBOM step that ran (not cached) took, in seconds.
func sbomStepSeconds(log string) []float64 {
	ids := map[string]bool{}
	var out []float64
	for _, line := range strings.Split(log, "\n") {
		if m := sbomVertex.FindStringSubmatch(line); m != nil {
			ids[m[1]] = true
			continue
		}
		id, rest, ok := strings.Cut(line, " ")
		if !ok || !ids[id] || !strings.HasPrefix(rest, "DONE ") {
			continue
		}
		if s, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimPrefix(rest, "DONE "), "s"), 64); err == nil {
			out = append(out, s)
			delete(ids, id)
		}
	}
	return out
}

// readLog returns the log file at path, "" when it cannot be read.
func readLog(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	var b strings.Builder
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		b.WriteString(sc.Text())
		b.WriteByte('\n')
	}
	return b.String()
}

// wsSBOMSteps are the SBOM steps of wsbuild's cold build; none when
// wsbuild did not run.
func (b *bench) wsSBOMSteps() []float64 {
	if b.ws == nil {
		return nil
	}
	return b.ws.sbomSteps["cold"]
}
