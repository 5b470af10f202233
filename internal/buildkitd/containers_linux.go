//go:build linux

package buildkitd

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
)

// reapContainers stops the build containers a buildkitd on root left behind
// when it died (killed, or crashed mid-step): runc containers whose bundle
// is under root are killed and deleted, and the mounts left under root are
// detached, so the next daemon starts clean and root can be removed. Only
// call it while no daemon runs on root (the state lock is held).
func reapContainers(root string, log io.Writer) error {
	var errs []error
	if runc, err := exec.LookPath("runc"); err == nil {
		out, err := exec.Command(runc, "list", "--format", "json").Output()
		if err != nil {
			return fmt.Errorf("listing runc containers: %w", err)
		}
		var list []struct {
			ID     string `json:"id"`
			Bundle string `json:"bundle"`
		}
		if len(strings.TrimSpace(string(out))) > 0 && string(out) != "null\n" {
			if err := json.Unmarshal(out, &list); err != nil {
				return fmt.Errorf("reading runc's container list: %w", err)
			}
		}
		for _, c := range list {
			if !strings.HasPrefix(c.Bundle, root+string(os.PathSeparator)) {
				continue
			}
			_ = exec.Command(runc, "kill", c.ID, "KILL").Run()
			if out, err := exec.Command(runc, "delete", "--force", c.ID).CombinedOutput(); err != nil {
				errs = append(errs, fmt.Errorf("removing build container %s left by a dead buildkitd: %v: %s", c.ID, err, out))
				continue
			}
			fmt.Fprintf(log, "removed build container %s left by a buildkitd that died\n", c.ID)
		}
	}
	mounts, err := mountsUnder(root)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, m := range mounts {
		if err := syscall.Unmount(m, syscall.MNT_DETACH); err != nil && !errors.Is(err, syscall.EINVAL) {
			errs = append(errs, fmt.Errorf("unmounting %s left by a dead buildkitd: %w", m, err))
		}
	}
	return errors.Join(errs...)
}

// mountsUnder lists the mount points under root, deepest first.
func mountsUnder(root string) ([]string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		mp := unescapeMount(fields[4])
		if strings.HasPrefix(mp, root+string(os.PathSeparator)) {
			out = append(out, mp)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out, sc.Err()
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var c int
			if _, err := fmt.Sscanf(s[i+1:i+4], "%o", &c); err == nil {
				b.WriteByte(byte(c))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
