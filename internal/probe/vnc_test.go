package probe

import (
	"bytes"
	"crypto/des"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"io"
	"math/bits"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestVNCResponseKnownAnswers(t *testing.T) {
	// Computed with `openssl enc -des-ecb -nopad -K KEY`, KEY being the
	// password zero padded to 8 bytes, each byte's bits reversed.
	var challenge [16]byte
	copy(challenge[:], "0123456789abcdef")
	for _, tc := range []struct{ password, want string }{
		{"wsbuild1", "11c0e61be433cd98e854e5f4dec51363"},
		{"secret", "752440ee2bfcc2a0d9013fd20371e23b"},
		{"longpassword", "7b75c4a55e86586a3db02ea6bc6f550c"}, // only "longpass" counts
	} {
		if got := hex.EncodeToString(VNCResponse(tc.password, challenge)); got != tc.want {
			t.Errorf("VNCResponse(%q) = %s, want %s", tc.password, got, tc.want)
		}
	}
}

// rfbServer is a fake RFB server that checks VNC authentication with DES
// itself and records every authentication's outcome.
type rfbServer struct {
	version   string // "003.008" or "003.003"
	types     []byte // offered security types (3.8), or the chosen one (3.3)
	password  string
	acceptAny bool // take any response

	mu       sync.Mutex
	outcomes []bool // per VNC authentication: accepted?
}

func (s *rfbServer) serve(t *testing.T) int {
	t.Helper()
	return serveTCP(t, s.handle)
}

func (s *rfbServer) handle(c net.Conn) {
	io.WriteString(c, "RFB "+s.version+"\n")
	var v [12]byte
	if _, err := io.ReadFull(c, v[:]); err != nil {
		return
	}
	chosen := s.types[0]
	if s.version == "003.003" {
		binary.Write(c, binary.BigEndian, uint32(chosen))
	} else {
		c.Write(append([]byte{byte(len(s.types))}, s.types...))
		var b [1]byte
		if _, err := io.ReadFull(c, b[:]); err != nil {
			return
		}
		chosen = b[0]
	}
	if chosen == secVNCAuth {
		var challenge [16]byte
		rand.Read(challenge[:])
		c.Write(challenge[:])
		var resp [16]byte
		if _, err := io.ReadFull(c, resp[:]); err != nil {
			return
		}
		ok := s.acceptAny || desMatches(s.password, challenge[:], resp[:])
		s.mu.Lock()
		s.outcomes = append(s.outcomes, ok)
		s.mu.Unlock()
		if !ok {
			binary.Write(c, binary.BigEndian, uint32(1))
			if s.version == "003.008" {
				binary.Write(c, binary.BigEndian, uint32(len("Authentication failure")))
				io.WriteString(c, "Authentication failure")
			}
			return
		}
	}
	binary.Write(c, binary.BigEndian, uint32(0))
	var shared [1]byte
	if _, err := io.ReadFull(c, shared[:]); err != nil {
		return
	}
	name := "user's desktop"
	binary.Write(c, binary.BigEndian, struct {
		W, H   uint16
		Format [16]byte
		N      uint32
	}{1024, 768, [16]byte{}, uint32(len(name))})
	io.WriteString(c, name)
}

// desMatches decrypts resp with the password's RFB key and compares it
// with the challenge; it shares no code with VNCResponse.
func desMatches(password string, challenge, resp []byte) bool {
	key := make([]byte, 8)
	copy(key, password)
	for i := range key {
		key[i] = bits.Reverse8(key[i])
	}
	b, err := des.NewCipher(key)
	if err != nil {
		return false
	}
	plain := make([]byte, 16)
	b.Decrypt(plain[:8], resp[:8])
	b.Decrypt(plain[8:], resp[8:])
	return bytes.Equal(plain, challenge)
}

func TestVNC(t *testing.T) {
	for _, tc := range []struct {
		name     string
		server   *rfbServer
		password string
		ok       bool
		want     string
		outcomes []bool // the server's authentications, in order
	}{
		{"RFB 3.8, right password", &rfbServer{version: "003.008", types: []byte{secVNCAuth}, password: "wsbuild1"}, "wsbuild1", true,
			`serves a 1024x768 desktop "user's desktop", a wrong password is refused ("Authentication failure")`, []bool{true, false}},
		{"RFB 3.8, VNC auth among others", &rfbServer{version: "003.008", types: []byte{19, secVNCAuth}, password: "pw"}, "pw", true, "no None security", []bool{true, false}},
		{"RFB 3.3, VNC auth", &rfbServer{version: "003.003", types: []byte{secVNCAuth}, password: "pw"}, "pw", true, "a wrong password is refused", []bool{true, false}},
		{"offers None", &rfbServer{version: "003.008", types: []byte{secNone, secVNCAuth}, password: "pw"}, "pw", false, "offers security type None", nil},
		{"RFB 3.3 chooses None", &rfbServer{version: "003.003", types: []byte{secNone}}, "pw", false, "offers security type None", nil},
		{"no VNC auth", &rfbServer{version: "003.008", types: []byte{19}}, "pw", false, "offers security types 19, not VNC authentication", nil},
		{"any password accepted", &rfbServer{version: "003.008", types: []byte{secVNCAuth}, acceptAny: true}, "pw", false, "a wrong password was accepted", []bool{true, true}},
		{"right password refused", &rfbServer{version: "003.008", types: []byte{secVNCAuth}, password: "other"}, "pw", false, "not ready after 1s: VNC authentication failed: Authentication failure", nil},
		{"no password given", &rfbServer{version: "003.008", types: []byte{secVNCAuth}}, "", false, "set VNC_PASSWORD", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := tc.server.serve(t)
			r := runOne(t, "vnc:"+strconv.Itoa(port), fast(time.Second, WithVNCPassword(tc.password))...)
			checkResult(t, r, tc.ok, tc.want)
			if tc.outcomes != nil {
				tc.server.mu.Lock()
				defer tc.server.mu.Unlock()
				if !equalBools(tc.server.outcomes, tc.outcomes) {
					t.Errorf("server saw authentications %v, want %v (right password first, then a wrong one)", tc.server.outcomes, tc.outcomes)
				}
			}
		})
	}
}

func TestVNCNotRFB(t *testing.T) {
	port := serveTCP(t, func(c net.Conn) { io.WriteString(c, "SSH-2.0-OpenSSH_9.2\r\n") })
	r := runOne(t, "vnc:"+strconv.Itoa(port), fast(time.Second, WithVNCPassword("pw"))...)
	checkResult(t, r, false, `not an RFB 3.x greeting: "SSH-2.0-Open"`)
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestWrongPasswordDiffersInTheKey(t *testing.T) {
	var challenge [16]byte
	for _, p := range []string{"wsbuild1", "a", "", "\x80bc"} {
		w := wrongPassword(p)
		if bytes.Equal(VNCResponse(p, challenge), VNCResponse(w, challenge)) {
			t.Errorf("wrongPassword(%q) = %q gives the same DES key", p, w)
		}
	}
}
