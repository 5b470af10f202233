package probe

import (
	"context"
	"crypto/des"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
)

// RFB security types (RFC 6143, 7.1.2).
const (
	secInvalid = 0
	secNone    = 1
	secVNCAuth = 2
)

// proveVNC checks that the RFB server offers no "None" security, accepts
// VNC authentication with the password and serves a framebuffer after it,
// and refuses a wrong password. The right password goes first, each try on
// its own connection, since servers may throttle after a failure.
func proveVNC(ctx context.Context, o *options, port int) (string, error) {
	if o.vncPassword == "" {
		return "", fatalf("no VNC password to try: set VNC_PASSWORD")
	}
	addr := net.JoinHostPort(o.host, strconv.Itoa(port))
	var desktop string
	err := withConn(ctx, addr, func(c net.Conn) error {
		var err error
		desktop, err = vncLogin(c, o.vncPassword, true)
		return err
	})
	if err != nil {
		return "", err
	}
	var refusal string
	err = withConn(ctx, addr, func(c net.Conn) error {
		_, err := vncLogin(c, wrongPassword(o.vncPassword), false)
		var r *authRefused
		if errors.As(err, &r) {
			refusal = r.reason
			return nil
		}
		if err == nil {
			return fatalf("a wrong password was accepted")
		}
		return err
	})
	if err != nil {
		return "", err
	}
	if refusal != "" {
		refusal = fmt.Sprintf(" (%q)", refusal)
	}
	return fmt.Sprintf("no None security, VNC auth with the password serves %s, a wrong password is refused%s", desktop, refusal), nil
}

// withConn dials addr and runs f with the connection, under ctx's deadline.
func withConn(ctx context.Context, addr string, f func(net.Conn) error) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		if err := c.SetDeadline(dl); err != nil {
			return fmt.Errorf("setting a deadline on %s: %w", addr, err)
		}
	}
	return f(c)
}

// authRefused is the server's refusal of a password.
type authRefused struct{ reason string }

func (e *authRefused) Error() string {
	if e.reason == "" {
		return "VNC authentication failed"
	}
	return fmt.Sprintf("VNC authentication failed: %s", e.reason)
}

// vncLogin runs the RFB handshake with VNC authentication on c. When full
// is set, it also sends ClientInit and returns the ServerInit's size and
// name. A refused password is an *authRefused.
func vncLogin(c net.Conn, password string, full bool) (string, error) {
	var greeting [12]byte
	if _, err := io.ReadFull(c, greeting[:]); err != nil {
		return "", fmt.Errorf("reading the RFB greeting: %w", err)
	}
	var major, minor int
	if _, err := fmt.Sscanf(string(greeting[:]), "RFB %03d.%03d\n", &major, &minor); err != nil || major != 3 {
		return "", fatalf("not an RFB 3.x greeting: %q", greeting[:])
	}
	version := 8
	if minor < 7 {
		version = 3
	} else if minor == 7 {
		version = 7
	}
	if _, err := fmt.Fprintf(c, "RFB 003.%03d\n", version); err != nil {
		return "", fmt.Errorf("sending the RFB version: %w", err)
	}
	if version == 3 {
		// RFB 3.3: the server picks the security type.
		var t uint32
		if err := binary.Read(c, binary.BigEndian, &t); err != nil {
			return "", fmt.Errorf("reading the security type: %w", err)
		}
		switch t {
		case secInvalid:
			return "", fmt.Errorf("the server refused the connection: %s", readReason(c))
		case secNone:
			return "", fatalf("the server offers security type None: anyone can connect without a password")
		case secVNCAuth:
		default:
			return "", fatalf("the server chose security type %d, not VNC authentication (2)", t)
		}
	} else {
		var n [1]byte
		if _, err := io.ReadFull(c, n[:]); err != nil {
			return "", fmt.Errorf("reading the security types: %w", err)
		}
		if n[0] == 0 {
			return "", fmt.Errorf("the server refused the connection: %s", readReason(c))
		}
		types := make([]byte, n[0])
		if _, err := io.ReadFull(c, types); err != nil {
			return "", fmt.Errorf("reading the security types: %w", err)
		}
		var names []string
		hasVNC := false
		for _, t := range types {
			if t == secNone {
				return "", fatalf("the server offers security type None among %v: anyone can connect without a password", types)
			}
			hasVNC = hasVNC || t == secVNCAuth
			names = append(names, strconv.Itoa(int(t)))
		}
		if !hasVNC {
			return "", fatalf("the server offers security types %s, not VNC authentication (2)", strings.Join(names, ","))
		}
		if _, err := c.Write([]byte{secVNCAuth}); err != nil {
			return "", fmt.Errorf("choosing VNC authentication: %w", err)
		}
	}
	var challenge [16]byte
	if _, err := io.ReadFull(c, challenge[:]); err != nil {
		return "", fmt.Errorf("reading the VNC challenge: %w", err)
	}
	if _, err := c.Write(VNCResponse(password, challenge)); err != nil {
		return "", fmt.Errorf("sending the VNC response: %w", err)
	}
	var result uint32
	if err := binary.Read(c, binary.BigEndian, &result); err != nil {
		return "", fmt.Errorf("reading the security result: %w", err)
	}
	if result != 0 {
		r := &authRefused{}
		if version == 8 {
			r.reason = readReason(c)
		}
		return "", r
	}
	if !full {
		return "", nil
	}
	if _, err := c.Write([]byte{1}); err != nil { // ClientInit, shared
		return "", fmt.Errorf("sending ClientInit: %w", err)
	}
	var init struct {
		Width, Height uint16
		Format        [16]byte
		NameLen       uint32
	}
	if err := binary.Read(c, binary.BigEndian, &init); err != nil {
		return "", fmt.Errorf("reading ServerInit: %w", err)
	}
	if init.NameLen > 1<<16 {
		return "", fmt.Errorf("ServerInit names a desktop of %d bytes", init.NameLen)
	}
	name := make([]byte, init.NameLen)
	if _, err := io.ReadFull(c, name); err != nil {
		return "", fmt.Errorf("reading the desktop name: %w", err)
	}
	return fmt.Sprintf("a %dx%d desktop %q", init.Width, init.Height, name), nil
}

// readReason reads an RFB reason string (a 32-bit length and the text).
func readReason(r io.Reader) string {
	var n uint32
	if err := binary.Read(r, binary.BigEndian, &n); err != nil || n > 4096 {
		return "(no reason given)"
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "(no reason given)"
	}
	return string(b)
}

// VNCResponse is the answer to an RFB VNC-authentication challenge: the
// challenge DES-encrypted with the password's first 8 bytes (zero padded),
// each byte's bits reversed as RFB's DES key convention has it.
func VNCResponse(password string, challenge [16]byte) []byte {
	var key [8]byte
	copy(key[:], password)
	for i, b := range key {
		key[i] = reverseBits(b)
	}
	block, err := des.NewCipher(key[:])
	if err != nil {
		panic(err) // des.NewCipher fails only for a key that is not 8 bytes
	}
	out := make([]byte, 16)
	block.Encrypt(out[:8], challenge[:8])
	block.Encrypt(out[8:], challenge[8:])
	return out
}

func reverseBits(b byte) byte {
	var r byte
	for i := 0; i < 8; i++ {
		r = r<<1 | b&1
		b >>= 1
	}
	return r
}

// wrongPassword returns a password that differs from p in a bit VNC's DES
// key keeps (the lowest bit of the first byte becomes a key bit, not a parity
// bit, once reversed).
func wrongPassword(p string) string {
	b := []byte(p)
	if len(b) == 0 {
		return "x"
	}
	b[0] ^= 1
	return string(b)
}
