package feature

import (
	"fmt"
	"path"
)

// Sshd is the sshd: feature: an OpenSSH server run as the user, with a
// host key made at container start.
type Sshd struct {
	Port int `json:"port,omitempty" check:"port" default:"2222" doc:"the port sshd listens on"`
}

// Paths of sshd's files.
const (
	// SshdConfig is the sshd configuration the feature writes.
	SshdConfig = "/etc/wsbuild/sshd_config"
	// HostKeyDir is where the container's sshd host key is made at start.
	HostKeyDir = "/var/lib/wsbuild/ssh"
)

var _ = Register(Def[Sshd]{
	Key:   "sshd",
	Doc:   "an OpenSSH server run as the user on an unprivileged port; key login, no root",
	Order: 20,
	Contribute: func(img *Image, s *Sshd, c *Contribution) {
		if img.Enters("sshd") {
			c.Needs = append(c.Needs, "sshd")
			c.Files = append(c.Files,
				File{Asset: "bin/sshd", Path: path.Join(ProgramDir, "sshd"), Mode: 0o755},
				File{Asset: "init.d/sshd.sh", Path: path.Join(InitDir, "sshd.sh"), Mode: 0o644},
				File{Template: "sshd_config.tmpl", Path: SshdConfig, Mode: 0o644, Data: map[string]any{"Port": s.Port, "User": img.User.Name}})
			// The container's own host key is made at start into a folder
			// the user owns; the apt step removed the package's keys.
			c.Dirs = append(c.Dirs, Dir{Path: HostKeyDir, Mode: 0o700, Why: "sshd host key folder " + HostKeyDir})
		}
		c.Programs = append(c.Programs, Program{Name: "sshd", Command: ProgramDir + "/sshd", Priority: 40, Restart: "true"})
		c.Ports = append(c.Ports, Port{Field: "port", Number: s.Port})
		c.Checks = append(c.Checks, Check{Name: "sshd -t accepts the config", Script: Script("sshd.sh"),
			Env: []Env{{"WSBUILD_SSHD_CONFIG", SshdConfig}, {"WSBUILD_HOST_KEY_DIR", HostKeyDir}}})
		// The start check appends the key it made and put in SSH_AUTHORIZED_KEYS.
		c.Probes = append(c.Probes, fmt.Sprintf("sshd:%d:%s", s.Port, img.User.Name))
	},
})
