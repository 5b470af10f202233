package feature

import (
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Desktop is the desktop: feature: a desktop session on a virtual X server,
// reached over VNC and, with novnc, from a web browser through noVNC.
type Desktop struct {
	VNC        *bool  `json:"vnc,omitempty" default:"true" doc:"serve the desktop over VNC (the only way in; must be true)"`
	Session    string `json:"session,omitempty" check:"oneof=lxde xfce" default:"lxde" doc:"the desktop session"`
	Browser    string `json:"browser,omitempty" check:"oneof=firefox none" default:"firefox" doc:"the web browser installed"`
	Resolution string `json:"resolution,omitempty" check:"resolution" default:"1920x1080" doc:"the screen size, WIDTHxHEIGHT"`
	Port       int    `json:"port,omitempty" check:"port" default:"5900" doc:"the VNC port"`
	NoVNC      int    `json:"novnc,omitempty" check:"porttoggle" default:"6080" doc:"serve the desktop in a web browser through noVNC and websockify: true (port 6080) or a port"`
	StartURL   string `json:"start_url,omitempty" check:"url" doc:"the page the browser opens when the session starts"`
}

// Paths of the desktop's files.
const (
	// StartPageFile starts the browser on the start page with the session.
	StartPageFile = "/etc/xdg/autostart/wsbuild-start-page.desktop"
)

// desktopProcesses are a session's window manager and panel, which the
// start check proves are running.
var desktopProcesses = map[string]string{"lxde": "openbox,lxpanel", "xfce": "xfwm4,xfce4-panel"}

// browserCommands are the browsers' commands.
var browserCommands = map[string]string{"firefox": "firefox-esr"}

var _ = Register(Def[Desktop]{
	Key:   "desktop",
	Doc:   "a desktop session over VNC (and noVNC), run by supervisord as the user",
	Order: 10,
	Validate: func(d *Desktop) []Problem {
		if d.VNC != nil && !*d.VNC {
			return []Problem{Problemf("vnc", "VNC is the only way into the desktop so far; leave vnc out or set it true")}
		}
		return nil
	},
	Plan: func(_ *Image, d *Desktop) []Problem {
		if d.StartURL != "" && d.Browser == "none" {
			return []Problem{Problemf("start_url", "a start page needs a browser, and browser is none")}
		}
		return nil
	},
	Contribute: func(img *Image, d *Desktop, c *Contribution) {
		if img.Enters("desktop") {
			c.Needs = append(c.Needs, "desktop", d.Session)
			if d.Browser != "none" {
				c.Needs = append(c.Needs, d.Browser)
			}
			if d.NoVNC != 0 {
				c.Needs = append(c.Needs, "novnc")
			}
			bins := []string{"desktop-x", "desktop-vnc", "desktop-session"}
			if d.NoVNC != 0 {
				bins = append(bins, "desktop-novnc")
			}
			for _, b := range bins {
				c.Files = append(c.Files, File{Asset: "bin/" + b, Path: path.Join(ProgramDir, b), Mode: 0o755})
			}
			c.Files = append(c.Files, File{Asset: "init.d/desktop.sh", Path: path.Join(InitDir, "desktop.sh"), Mode: 0o644})
			if d.StartURL != "" {
				c.Files = append(c.Files, File{Template: "start-page.desktop.tmpl", Path: StartPageFile, Mode: 0o644,
					// The Desktop Entry spec makes % a field code: %% is a
					// literal one. The URL holds no quote (checkURL).
					Data: map[string]string{"Browser": browserCommands[d.Browser], "URL": strings.ReplaceAll(d.StartURL, "%", "%%")}})
			}
		}
		c.Env = append(c.Env, Env{"DISPLAY", ":1"}, Env{"WSBUILD_RESOLUTION", d.Resolution},
			Env{"WSBUILD_SESSION", d.Session}, Env{"WSBUILD_VNC_PORT", strconv.Itoa(d.Port)})
		if d.NoVNC != 0 {
			c.Env = append(c.Env, Env{"WSBUILD_NOVNC_PORT", strconv.Itoa(d.NoVNC)})
		}
		c.Programs = append(c.Programs,
			Program{Name: "x", Command: ProgramDir + "/desktop-x", Priority: 10, Restart: "true"},
			Program{Name: "vnc", Command: ProgramDir + "/desktop-vnc", Priority: 20, Restart: "true"})
		if d.NoVNC != 0 {
			c.Programs = append(c.Programs, Program{Name: "novnc", Command: ProgramDir + "/desktop-novnc", Priority: 25, Restart: "true"})
		}
		c.Programs = append(c.Programs, Program{Name: "session", Command: ProgramDir + "/desktop-session", Priority: 30, Restart: "true"})
		c.Ports = append(c.Ports, Port{Field: "port", Number: d.Port})
		if d.NoVNC != 0 {
			c.Ports = append(c.Ports, Port{Field: "novnc", Number: d.NoVNC})
		}
		c.Checks = append(c.Checks, Check{Name: fmt.Sprintf("X and VNC start, VNC port %d answers", d.Port), Script: Script("desktop.sh")})
		c.Probes = append(c.Probes, fmt.Sprintf("vnc:%d", d.Port))
		if d.NoVNC != 0 {
			c.Probes = append(c.Probes, fmt.Sprintf("novnc:%d", d.NoVNC))
		}
		procs := desktopProcesses[d.Session]
		if d.StartURL != "" {
			procs += "," + browserCommands[d.Browser]
		}
		c.Probes = append(c.Probes, "process:"+procs)
	},
})
