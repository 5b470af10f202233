package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/opencontainers/go-digest"
)

// solvedLimit is how many images a solved log remembers; the oldest go first.
const solvedLimit = 4096

// solvedLog remembers, for one buildkitd, which LLB (by llb.Image.StateDigest)
// gave which image manifest there. When an image is skipped because its
// tags hold a manifest this builder made from the very LLB the run compiles
// again, its children can be built on that LLB (its result still cached,
// most likely) rather than on the pushed image: the cache keys of their
// steps are then the same as when they were last built, so only what
// changed runs. A log that lies (the daemon's cache was pruned) costs a
// rebuild, never a wrong image: see (*run).verifyKept.
type solvedLog struct {
	path string
	// Entries are manifest digest and state digest pairs, oldest first.
	Entries []solvedEntry `json:"entries"`
	// Refused are manifests whose LLB, kept for a child, did not give the
	// layers they hold here (the cache lost or never had them): their
	// children build on the pushed image from then on, even when a cache
	// import promises the LLB's results. Oldest first.
	Refused []digest.Digest `json:"refused,omitempty"`
}

// solvedEntry is one image a builder made.
type solvedEntry struct {
	Manifest digest.Digest `json:"manifest"`
	State    digest.Digest `json:"state"`
}

// solvedLogPath is where the log of o's builder lives: in the private
// buildkitd's state folder (gone when that is), else per address under
// o.CacheDir.
func (o Options) solvedLogPath() string {
	addr := o.daemonAddr()
	if addr == "" {
		return filepath.Join(o.CacheDir, "buildkitd", "wsbuild-solved.json")
	}
	sum := sha256.Sum256([]byte(addr))
	return filepath.Join(o.CacheDir, "remote", hex.EncodeToString(sum[:8])+"-solved.json")
}

// readSolvedLog reads the log at path; a missing or unreadable one is empty
// (it is only a hint).
func readSolvedLog(path string) *solvedLog {
	l := &solvedLog{path: path}
	data, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(data, l) != nil {
		l.Entries = nil
	}
	return l
}

// has says whether the builder made manifest from state.
func (l *solvedLog) has(manifest, state digest.Digest) bool {
	for _, e := range l.Entries {
		if e.Manifest == manifest && e.State == state {
			return true
		}
	}
	return false
}

// forget drops what the log says about manifest.
func (l *solvedLog) forget(manifest digest.Digest) {
	out := l.Entries[:0]
	for _, e := range l.Entries {
		if e.Manifest != manifest {
			out = append(out, e)
		}
	}
	l.Entries = out
}

// refuse records that manifest's LLB must not be kept again here.
func (l *solvedLog) refuse(manifest digest.Digest) {
	l.forget(manifest)
	if !l.refused(manifest) {
		l.Refused = append(l.Refused, manifest)
	}
	if n := len(l.Refused) - solvedLimit; n > 0 {
		l.Refused = l.Refused[n:]
	}
}

// refused says whether manifest's LLB must not be kept (see refuse).
func (l *solvedLog) refused(manifest digest.Digest) bool {
	return slices.Contains(l.Refused, manifest)
}

// add records that the builder made manifest from state.
func (l *solvedLog) add(manifest, state digest.Digest) {
	l.forget(manifest)
	l.Entries = append(l.Entries, solvedEntry{Manifest: manifest, State: state})
	if n := len(l.Entries) - solvedLimit; n > 0 {
		l.Entries = l.Entries[n:]
	}
}

// write saves the log, replacing the file whole.
func (l *solvedLog) write() error {
	if err := os.MkdirAll(filepath.Dir(l.path), 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("writing %s: %w", l.path, err)
	}
	data, err := json.Marshal(l)
	if err != nil {
		return err
	}
	tmp := l.path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", l.path, err)
	}
	if err := os.Rename(tmp, l.path); err != nil {
		return fmt.Errorf("writing %s: %w", l.path, err)
	}
	return nil
}
