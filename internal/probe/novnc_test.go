package probe

import (
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

// novncServer describes a fake websockify serving noVNC.
type novncServer struct {
	pagePath  string   // where the page is, "" for none
	upgrade   int      // the upgrade's status, 101 normally
	badAccept bool     // send a wrong Sec-WebSocket-Accept
	frames    [][]byte // frames sent after the upgrade, each as is
}

func (n novncServer) handler(t *testing.T) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/websockify" {
			if r.URL.Path == n.pagePath {
				fmt.Fprint(w, "<!DOCTYPE html><html><head><title>noVNC</title></head></html>")
				return
			}
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("Upgrade") != "websocket" || r.Header.Get("Sec-WebSocket-Version") != "13" ||
			r.Header.Get("Sec-WebSocket-Protocol") != "binary" {
			t.Errorf("websocket request headers %v", r.Header)
			http.Error(w, "bad upgrade", http.StatusBadRequest)
			return
		}
		if n.upgrade != http.StatusSwitchingProtocols {
			w.WriteHeader(n.upgrade)
			return
		}
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		// RFC 6455's GUID, written out again rather than shared with the code.
		sum := sha1.Sum([]byte(r.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		accept := base64.StdEncoding.EncodeToString(sum[:])
		if n.badAccept {
			accept = "AAAA" + accept[4:]
		}
		fmt.Fprintf(buf, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
			"Sec-WebSocket-Accept: %s\r\nSec-WebSocket-Protocol: binary\r\n\r\n", accept)
		for _, f := range n.frames {
			buf.Write(f)
		}
		buf.Flush()
		// Wait for the client's close frame, as websockify would.
		conn.SetReadDeadline(time.Now().Add(2 * time.Second))
		if op, _, err := readFrame(buf); err == nil && op != 0x8 {
			t.Errorf("client sent opcode %d, want a close frame", op)
		}
	})
}

func TestWebsocketAccept(t *testing.T) {
	// RFC 6455, section 1.3.
	if got, want := websocketAccept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="; got != want {
		t.Errorf("websocketAccept(RFC 6455's sample) = %q, want %q", got, want)
	}
}

// frame is an unmasked server frame.
func frame(op byte, p string) []byte { return append([]byte{0x80 | op, byte(len(p))}, p...) }

func TestNoVNC(t *testing.T) {
	greeting := frame(0x2, "RFB 003.008\n")
	for _, tc := range []struct {
		name   string
		server novncServer
		ok     bool
		want   string
	}{
		{"vnc.html", novncServer{pagePath: "/vnc.html", upgrade: 101, frames: [][]byte{greeting}}, true,
			`/vnc.html is noVNC's page, /websockify upgrades (101) and relays "RFB 003.008"`},
		{"page at /", novncServer{pagePath: "/", upgrade: 101, frames: [][]byte{greeting}}, true, "/ is noVNC's page"},
		{"greeting in two frames, after a ping", novncServer{pagePath: "/vnc.html", upgrade: 101,
			frames: [][]byte{frame(0x9, ""), frame(0x2, "RFB 00"), frame(0x2, "3.008\n")}}, true, `relays "RFB 003.008"`},
		{"no page", novncServer{upgrade: 101, frames: [][]byte{greeting}}, false, "no noVNC page: [/vnc.html answered 404 / answered 404]"},
		{"no upgrade", novncServer{pagePath: "/vnc.html", upgrade: 403}, false, "answered 403 Forbidden, want 101"},
		{"bad accept", novncServer{pagePath: "/vnc.html", upgrade: 101, badAccept: true}, false, "Sec-WebSocket-Accept"},
		{"text frame", novncServer{pagePath: "/vnc.html", upgrade: 101, frames: [][]byte{frame(0x1, "UkZCIDAwMy4wMDgK")}}, false, "opcode 1"},
		{"not RFB", novncServer{pagePath: "/vnc.html", upgrade: 101, frames: [][]byte{frame(0x2, "SSH-2.0-OpenSSH")}}, false, `not an RFB greeting`},
		{"closed at once", novncServer{pagePath: "/vnc.html", upgrade: 101, frames: [][]byte{frame(0x8, "")}}, false, "closed by the server before the RFB greeting"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.server.handler(t))
			defer srv.Close()
			r := runOne(t, "novnc:"+strconv.Itoa(portOf(t, srv.Listener.Addr().String())), fast(time.Second)...)
			checkResult(t, r, tc.ok, tc.want)
		})
	}
}
